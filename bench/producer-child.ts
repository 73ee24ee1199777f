import { runImport } from '../src/producer/run-import.js';
import { loadConfig } from '../src/shared/config.js';
import { measure } from './child-measure.js';

/**
 * The real producer, `runImport` as `voicehire import` calls it, in a process of its own so that
 * its peak RSS is its own: `node producer-child.js <file> [--dry-run]`, with REDIS_URL,
 * QUEUE_PREFIX and DATABASE_URL in the environment.
 */
const [file, flag] = process.argv.slice(2);

await measure(async () => {
  const summary = await runImport(
    { file: file as string, campaignId: 'abc123def456', dryRun: flag === '--dry-run' },
    loadConfig(),
  );
  return { rows: summary.rows, uniquePhones: summary.valid + summary.alreadySent };
});
