import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/simulator.js';
import {
  addCandidates,
  CAMPAIGN,
  call,
  candidates,
  control,
  simulatorsPerTest,
} from './simulator-client.js';

const start = simulatorsPerTest();

/** What each of `count` sequential reads met: a status, or `reset` when the connection broke. */
async function outcomes(simulator: Simulator, count: number): Promise<(number | 'reset')[]> {
  const seen: (number | 'reset')[] = [];
  for (let n = 0; n < count; n += 1) {
    try {
      seen.push((await call(simulator, '/account/credits')).status);
    } catch {
      seen.push('reset');
    }
  }
  return seen;
}

describe('failure injection', () => {
  it('answers 503 with an error body and adds nothing', async () => {
    const simulator = await start({ failRate: 1 });

    const answer = await addCandidates(simulator, candidates(2));

    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), details: {} },
    });
    expect(simulator.record().adds).toEqual([]);
    expect(simulator.record().totals.unavailable).toBe(1);
  });

  it('resets the connection without an answer and adds nothing', async () => {
    const simulator = await start({ resetRate: 1 });

    const attempt = addCandidates(simulator, candidates(2));

    await expect(attempt).rejects.toThrow(TypeError);
    await attempt.catch((err: Error) => {
      expect(String((err.cause as NodeJS.ErrnoException | undefined)?.code)).toMatch(
        /ECONNRESET|UND_ERR_SOCKET/,
      );
    });
    expect(simulator.record().adds).toEqual([]);
    expect(simulator.record().totals.resets).toBe(1);
  });

  it('meets the same failures in the same order with the same seed', async () => {
    const rates = { failRate: 0.3, resetRate: 0.2 };
    const first = await start({ ...rates, seed: 42 });
    const second = await start({ ...rates, seed: 42 });
    const other = await start({ ...rates, seed: 7 });

    const firstRun = await outcomes(first, 30);
    const secondRun = await outcomes(second, 30);
    const otherRun = await outcomes(other, 30);

    expect(secondRun).toEqual(firstRun);
    expect(otherRun).not.toEqual(firstRun);
    expect(firstRun).toContain(503);
    expect(firstRun).toContain('reset');
    expect(firstRun).toContain(200);
    const { totals } = first.record();
    expect(totals.unavailable).toBe(firstRun.filter((outcome) => outcome === 503).length);
    expect(totals.resets).toBe(firstRun.filter((outcome) => outcome === 'reset').length);
  });

  it('replays the same failures after a reset', async () => {
    const simulator = await start({ failRate: 0.5, seed: 3 });

    const before = await outcomes(simulator, 12);
    await control(simulator, '/reset', { method: 'POST' });
    const after = await outcomes(simulator, 12);

    expect(after).toEqual(before);
  });

  it('adds the candidates of a call whose answer is lost, and skips them when retried', async () => {
    const simulator = await start({ lostAnswerRate: 1 });
    const batch = candidates(3);

    await expect(addCandidates(simulator, batch)).rejects.toThrow(TypeError);
    await expect(addCandidates(simulator, batch)).rejects.toThrow(TypeError);
    const record = simulator.record();

    expect(record.adds.map((call) => [call.added, call.skipped])).toEqual([
      [3, 0],
      [0, 3],
    ]);
    expect(record.phones[CAMPAIGN]?.['0600000001']).toEqual({ added: 1, received: 2 });
    expect(record.totals.lostAnswers).toBe(2);
  });

  it('leaves a request unanswered until the client gives up', async () => {
    const simulator = await start({ timeoutRate: 1 });

    const attempt = call(simulator, '/account/credits', { signal: AbortSignal.timeout(300) });

    await expect(attempt).rejects.toThrow(/aborted|timeout/i);
    expect(simulator.record().totals.timeouts).toBe(1);
  });

  it('closes at once even with a request held unanswered', async () => {
    const simulator = await start({ timeoutRate: 1 });
    const attempt = call(simulator, '/account/credits').catch((err: Error) => err);
    await waitFor(() => simulator.record().totals.timeouts === 1);

    const closedAt = Date.now();
    await simulator.close();

    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(await attempt).toBeInstanceOf(Error);
  });

  it('adds the configured latency to every API call', async () => {
    const simulator = await start({ latencyMs: 150 });

    const startedAt = performance.now();
    const answer = await call(simulator, '/account/credits');

    expect(answer.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(145);
  });

  it('refuses failure rates that add up to more than 1', async () => {
    await expect(start({ failRate: 0.6, resetRate: 0.5 })).rejects.toThrow(/add up to at most 1/);
    await expect(start({ timeoutRate: 1.5 })).rejects.toThrow(
      /timeoutRate must be between 0 and 1/,
    );
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !condition(); tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition()).toBe(true);
}
