import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { runImport } from '../../src/producer/run-import.js';
import { loadConfig } from '../../src/shared/config.js';
import { BATCH_QUEUE } from '../../src/shared/jobs.js';
import { writeCandidateFile } from '../support/candidate-file.js';
import { deletePrefixKeys, freshPrefix } from '../support/import-harness.js';
import { tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('run-import-failure-');

/** A failing import answers in well under a second; past this bound it hangs. */
const BOUND_MS = 20_000;

describe('when Redis refuses the batches while the import queues them', () => {
  // Found by bad-input.test.ts: a failure while queueing (then, a results store refusing a
  // batch) left runImport unsettled for ever, because its clean-up closed the finished rejects
  // report again. A wait list of the wrong type makes BullMQ's add script fail in Redis itself.
  it('rejects with Redis’s error instead of hanging', { timeout: BOUND_MS }, async () => {
    const file = join(temp.dir(), 'candidates.csv');
    await writeCandidateFile(file, { rows: 300, seed: 3 });
    const prefix = freshPrefix();
    const redis = new Redis(inject('redisUrl'));
    await redis.set(`${prefix}:${BATCH_QUEUE}:wait`, 'not a list');
    const config = loadConfig({ REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: prefix });

    try {
      const failure = await runImport({ file, campaignId: 'abc123def456' }, config).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain('WRONGTYPE');
    } finally {
      await deletePrefixKeys(redis, prefix);
      await redis.quit();
    }
  });
});
