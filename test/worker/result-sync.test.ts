import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readHalt } from '../../src/shared/halt-state.js';
import { freePort } from '../../src/shared/local-redis.js';
import { signWebhook } from '../../src/shared/webhook-signature.js';
import { generateRows } from '../support/candidate-file.js';
import {
  CAMPAIGN,
  type HarnessOptions,
  type ImportHarness,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';
import { type RunningServe, startServe } from '../support/serve-harness.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../support/test-databases.js';

const open = importHarnessPerTest();
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SECRET = 'whsec_result_sync';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/**
 * The whole loop, as deployed: the simulator posts its webhooks to `serve`, which queues them;
 * the worker sends the batches and processes the webhooks into the store.
 */
async function openLoop(options: {
  database: TestDatabase;
  simulator?: HarnessOptions['simulator'];
  env?: Record<string, string>;
}): Promise<{ harness: ImportHarness; serve: RunningServe }> {
  const port = await freePort();
  const harness = await open({
    simulator: {
      webhookUrl: `http://127.0.0.1:${port}/webhooks/voicehire`,
      webhookSecret: SECRET,
      webhookDelayMs: 20,
      ...options.simulator,
    },
    env: { DATABASE_URL: options.database.url, VOICEHIRE_WEBHOOK_SECRET: SECRET, ...options.env },
  });
  const serve = await startServe(harness.env, { port });
  cleanups.push(() => serve.close());
  return { harness, serve };
}

/** Every webhook the simulator will send is sent, and the webhooks queue has nothing left. */
async function waitForWebhooks(harness: ImportHarness, serve: RunningServe): Promise<void> {
  let counts: Record<string, number> = {};
  await waitFor(
    async () => {
      const { webhooks } = harness.simulator.record();
      // Per candidate: added and started, then completed and its extended form, or failed.
      const expected = webhooks.candidates.reduce(
        (sum, candidate) => sum + (candidate.outcome === 'completed' ? 4 : 3),
        0,
      );
      const decided = webhooks.candidates.every((candidate) => candidate.outcome !== 'pending');
      const candidateEvents = Object.entries(webhooks.events)
        .filter(([event]) => event.startsWith('candidate.'))
        .map(([, events]) => events);
      const delivered = candidateEvents.reduce((sum, events) => sum + (events?.succeeded ?? 0), 0);
      // A chaos copy succeeds too: without counting the copies, the wait could end while an
      // outcome was still held back, the queue momentarily empty.
      const copies = candidateEvents.reduce((sum, events) => sum + (events?.duplicates ?? 0), 0);
      counts = await serve.webhookQueue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      const settled = Object.values(counts).every((count) => count === 0);
      return webhooks.candidates.length > 0 && decided && delivered >= expected + copies && settled;
    },
    40_000,
    () => `every webhook to be processed; webhook jobs ${JSON.stringify(counts)}`,
  );
}

function results(harness: ImportHarness, campaignId = CAMPAIGN): Array<Record<string, unknown>> {
  const run = spawnSync(process.execPath, [CLI, 'results', '--campaign', campaignId, '--json'], {
    env: { PATH: process.env.PATH ?? '', ...harness.env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Array<Record<string, unknown>>;
}

describe.each([
  ['SQLite', sqliteDatabase],
  ['PostgreSQL', postgresDatabase],
])('on %s', (_, createDatabase) => {
  it('brings back every valid row’s outcome under its external id, through reordered and repeated deliveries', async () => {
    const database = await createDatabase();
    cleanups.push(() => database.drop());
    const { harness, serve } = await openLoop({
      database,
      simulator: { webhookChaos: true, seed: 4 },
    });
    const rows = 700;
    const seed = 17;
    const file = await harness.writeCandidates({ rows, seed });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);
    await waitForWebhooks(harness, serve);

    // What the file holds: each valid row's external id and phone in the API's form.
    const expected = new Map<string, string>();
    for (const row of generateRows({ rows, seed })) {
      if (row.kind === 'valid' && row.phone !== undefined) {
        expected.set(row.phone, row.fields[0]);
      }
    }
    const truth = harness.simulator.record().webhooks;
    expect(truth.candidates).toHaveLength(expected.size);
    expect(Object.values(truth.events).some((counts) => (counts?.duplicates ?? 0) > 0)).toBe(true);

    const exported = results(harness);
    const byExternalId = new Map(exported.map((row) => [row.external_id, row]));
    expect(exported).toHaveLength(expected.size);

    for (const candidate of truth.candidates) {
      const row = byExternalId.get(expected.get(candidate.phone));
      expect(row, `the row of ${candidate.candidateId}`).toBeDefined();
      expect(row?.voicehire_id).toBe(candidate.candidateId);
      if (candidate.outcome === 'completed') {
        expect(row).toMatchObject({
          status: 'interview_completed',
          score: candidate.interviewScore,
        });
      } else {
        expect(row).toMatchObject({
          status: 'interview_failed',
          failure_reason: candidate.outcome === 'failed' ? candidate.failureReason : undefined,
        });
      }
    }
  });
});

describe('when VoiceHire says the credits are depleted', () => {
  it('halts the batch queue as a 402 would', async () => {
    const database = await sqliteDatabase();
    cleanups.push(() => database.drop());
    const { harness, serve } = await openLoop({ database });
    await harness.startWorker({ concurrency: 1 });

    const body = JSON.stringify({
      event: 'credits.depleted',
      timestamp: new Date().toISOString(),
      data: { credits_remaining: 0, last_campaign_id: CAMPAIGN },
    });
    const answer = await fetch(`${serve.url}/webhooks/voicehire`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-voicehire-signature': signWebhook(SECRET, body),
      },
      body,
    });
    expect(answer.status).toBe(202);

    await waitFor(async () => (await harness.api.queue.isPaused()) === true, 10_000, 'the halt');
    const halt = await readHalt(harness.api.redis, harness.api.keys);
    expect(halt).toMatchObject({ code: 'INSUFFICIENT_CREDITS', available: 0 });
    expect(halt?.message).toContain('voicehire resume');
  });
});

describe('when a campaign is paused', () => {
  it('holds its batches back, lets the other campaign go on, and sends them once it is active', async () => {
    const other = 'fedcba987654';
    const database = await sqliteDatabase();
    cleanups.push(() => database.drop());
    const { harness } = await openLoop({
      database,
      simulator: { campaigns: [CAMPAIGN, other] },
      env: { CAMPAIGN_RECHECK_MS: '200' },
    });
    harness.simulator.setCampaignStatus(CAMPAIGN, 'paused');

    const pausedFile = await harness.writeCandidates({ rows: 300, seed: 41, name: 'paused.csv' });
    const otherFile = await harness.writeCandidates({ rows: 300, seed: 42, name: 'other.csv' });
    const paused = await harness.importFile(pausedFile);
    const going = await harness.importFile(otherFile, other);
    await harness.startWorker({ concurrency: 2 });

    // Not waitForImport: it also waits for the queue to empty, and the paused batches stay.
    await waitFor(
      async () => (await harness.status(going.importId)).state === 'done',
      20_000,
      'the active campaign’s import',
    );
    const held = await harness.status(paused.importId);
    expect(held).toMatchObject({ batches_done: 0, batches_failed: 0 });
    expect(await harness.api.queue.getJobCountByTypes('delayed', 'waiting', 'active')).toBe(
      paused.batches,
    );

    harness.simulator.setCampaignStatus(CAMPAIGN, 'active');
    const done = await harness.waitForImport(paused.importId);
    expect(done).toMatchObject({ batches_failed: 0, candidates_added: paused.valid });
  });
});
