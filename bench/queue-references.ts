import { Queue, Worker } from 'bullmq';
import { connectRedis } from '../src/shared/redis-connection.js';
import { startSimulator } from '../src/simulator/simulator.js';

/**
 * The two references of the queue-overhead row: BullMQ alone with a processor that does
 * nothing, and the simulator alone answering add calls of 100 candidates. The workers' figure
 * cannot pass either.
 */

const JOBS = 2_000;
const CONCURRENCY = 25;

/** Jobs a second through one BullMQ worker whose processor returns at once. */
export async function measureBullmqAlone(redisUrl: string): Promise<number> {
  const connection = await connectRedis(redisUrl, { persistent: true });
  const prefix = '{bench-bullmq}';
  const queue = new Queue('noop', { connection, prefix });
  // As large as a batch job: 100 candidates of ~120 bytes.
  const data = { candidates: 'x'.repeat(12_000) };
  await queue.addBulk(Array.from({ length: JOBS }, () => ({ name: 'noop', data })));

  let completed = 0;
  const started = performance.now();
  const worker = new Worker('noop', async () => {}, {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  await new Promise<void>((resolve) => {
    worker.on('completed', () => {
      completed += 1;
      if (completed === JOBS) {
        resolve();
      }
    });
  });
  const perSecond = (JOBS / (performance.now() - started)) * 1000;

  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return perSecond;
}

/** Add calls a second the simulator answers, from 50 callers in the same process. */
export async function measureSimulatorAlone(calls = 1_000, callers = 50): Promise<number> {
  const simulator = await startSimulator({ rateLimits: 'none', credits: 10_000_000 });
  const url = `${simulator.url}/campaigns/abc123def456/candidates`;
  const headers = { 'X-API-Key': 'vh_live_simulator', 'Content-Type': 'application/json' };
  const body = (call: number) =>
    JSON.stringify({
      candidates: Array.from({ length: 100 }, (_, index) => ({
        first_name: 'Camille',
        last_name: 'Durand',
        phone: `06${String(call * 100 + index).padStart(8, '0')}`,
        email: 'camille.durand@example.fr',
      })),
    });

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < calls) {
        const call = next++;
        const response = await fetch(url, { method: 'POST', headers, body: body(call) });
        await response.text();
      }
    }),
  );
  const perSecond = (calls / (performance.now() - started)) * 1000;

  await simulator.close();
  return perSecond;
}
