import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/producer/run-import.js';
import { loadConfig } from '../../src/shared/config.js';
import { retryFailedBatches } from '../../src/worker/retry-failed.js';
import {
  type CandidateFile,
  expectDeliveredOnce,
  type ImportHarness,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';

const open = importHarnessPerTest();

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('hex');
const keyC = randomBytes(32).toString('base64');

/** The producer with the harness's settings and these (a key, say). */
function importWith(harness: ImportHarness, file: CandidateFile, env: Record<string, string>) {
  return runImport(
    { file: file.path, campaignId: 'abc123def456' },
    loadConfig({ ...harness.env, ...env }),
  );
}

async function queuedJobData(harness: ImportHarness): Promise<string> {
  const jobs = await harness.api.queue.getJobs(['waiting', 'failed', 'completed'], 0, -1);
  return JSON.stringify(jobs.map((job) => job.data));
}

describe('with DATA_ENCRYPTION_KEY set', () => {
  it('queues every batch sealed, and a worker with the key delivers each candidate once', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 250 });

    const summary = await importWith(harness, file, { DATA_ENCRYPTION_KEY: keyA });

    const jobs = await harness.api.queue.getJobs(['waiting'], 0, -1);
    expect(jobs).toHaveLength(summary.batches);
    for (const job of jobs) {
      expect(Object.keys(job.data).sort()).toEqual([
        'batchNumber',
        'campaignId',
        'importId',
        'sealedCandidates',
      ]);
    }
    const stored = await queuedJobData(harness);
    expect(file.phones.filter((phone) => stored.includes(phone.slice(1)))).toEqual([]);

    await harness.startWorker({}, { DATA_ENCRYPTION_KEY: keyA });
    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);

    // The dedup record holds keyed hashes, never a phone.
    const fields = await harness.api.redis.hkeys(harness.api.keys.sentPhones(summary.campaignId));
    expect(fields).toHaveLength(file.phones.length);
    expect(fields.filter((field) => !/^[A-Za-z0-9_-]{22}$/.test(field))).toEqual([]);
  });

  it('fails a batch it cannot open with the reason, and retry-failed sends it once the key is right', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 150 });
    const summary = await importWith(harness, file, { DATA_ENCRYPTION_KEY: keyA });

    const withoutKey = await harness.startWorker();
    await waitFor(
      async () => (await harness.jobCounts()).failed === summary.batches,
      15_000,
      'every batch to fail for want of the key',
    );
    await withoutKey.close();

    const failed = await harness.api.queue.getFailed();
    expect(failed.map((job) => job.failedReason)).toEqual(
      failed.map(() => expect.stringMatching(/^DATA_KEY_MISSING: sealed with key [0-9a-f]{8}/)),
    );
    expect(failed.every((job) => job.attemptsMade === 1)).toBe(true);
    expect(await harness.status(summary.importId)).toMatchObject({
      batches_failed: summary.batches,
    });
    expect(harness.simulator.record().phones[summary.campaignId] ?? {}).toEqual({});

    // Another key is not the right one either.
    const wrongKey = await harness.startWorker({}, { DATA_ENCRYPTION_KEY: keyB });
    expect(await retryFailedBatches(harness.api, summary.importId)).toBe(summary.batches);
    await waitFor(
      async () =>
        (await harness.api.queue.getFailed()).some((job) =>
          job.failedReason.startsWith('DATA_KEY_UNKNOWN'),
        ),
      15_000,
      'a batch to fail with DATA_KEY_UNKNOWN',
    );
    await waitFor(async () => (await harness.jobCounts()).failed === summary.batches, 15_000);
    await wrongKey.close();

    await harness.startWorker({}, { DATA_ENCRYPTION_KEY: keyA });
    expect(await retryFailedBatches(harness.api, summary.importId)).toBe(summary.batches);
    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
  });

  it('still delivers the batches queued in clear before the key was set', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 150 });
    const summary = await harness.importFile(file);
    expect(await queuedJobData(harness)).toContain(file.phones[0]?.slice(1));

    await harness.startWorker({}, { DATA_ENCRYPTION_KEY: keyA });
    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
  });
});

describe('after a key rotation', () => {
  it('opens the batches sealed under the previous key, and knows the phones sent under it', async () => {
    const harness = await open();
    const first = await harness.writeCandidates({ rows: 150, name: 'first.csv' });
    const larger = await harness.writeCandidates({ rows: 300, name: 'larger.csv' });
    expect(larger.phones.slice(0, first.phones.length)).toEqual(first.phones);

    // Queued under A; the workers have moved to B, with A kept as a previous key.
    const before = await importWith(harness, first, { DATA_ENCRYPTION_KEY: keyA });
    const rotated = { DATA_ENCRYPTION_KEY: keyB, DATA_ENCRYPTION_PREVIOUS_KEYS: keyA };
    const rotatedWorker = await harness.startWorker({}, rotated);
    await harness.waitForImport(before.importId);
    await expectDeliveredOnce(harness, first, before);
    await rotatedWorker.close();

    // Rotated again: B is a previous key now, and the phones recorded under it still count.
    const after = await importWith(harness, larger, {
      DATA_ENCRYPTION_KEY: keyC,
      DATA_ENCRYPTION_PREVIOUS_KEYS: `${keyB},${keyA}`,
    });
    expect(after.alreadySent).toBe(first.phones.length);
    expect(after.valid).toBe(larger.phones.length - first.phones.length);

    await harness.startWorker(
      {},
      { DATA_ENCRYPTION_KEY: keyC, DATA_ENCRYPTION_PREVIOUS_KEYS: keyB },
    );
    await harness.waitForImport(after.importId);
    const added = harness.simulator.record().phones[after.campaignId] ?? {};
    expect(Object.keys(added).sort()).toEqual([...larger.phones].sort());
    expect(Object.values(added).filter((phone) => phone.added !== 1)).toEqual([]);
  });
});
