import { appendFile } from 'node:fs/promises';
import type { Config } from '../shared/config.js';
import { type ImportStatus, readImportStatus } from '../shared/import-status.js';
import { bar, ProgressLine } from '../shared/progress-line.js';
import { openQueueContext, type QueueContext } from '../shared/queue-context.js';
import { parseRateLimits } from '../shared/rate-limit-spec.js';
import type { Reject } from '../shared/reject-reasons.js';
import { formatReportLine, reportDelimiter } from './rejects-report.js';

const POLL_MS = 500;

/**
 * Follows an import until every batch is settled or the queue halts, drawing its progress, then
 * adds the candidates the API refused to the rejects report. Returns the last status.
 */
export async function followImport(
  importId: string,
  config: Config,
  signal?: AbortSignal,
): Promise<ImportStatus> {
  const context = await openQueueContext(config, { persistent: false });
  const line = new ProgressLine();
  const batchesPerMs = addCallsPerMs(config.VOICEHIRE_RATE_LIMITS);

  try {
    for (;;) {
      const status = await readImportStatus(context.redis, context.keys, importId);
      if (status === undefined) {
        throw new Error(`no import ${importId} in Redis`);
      }

      const left = status.batches - status.batches_done - status.batches_failed;
      const eta = batchesPerMs > 0 ? formatDuration(left / batchesPerMs) : '?';
      line.update(
        `batches ${status.batches_done + status.batches_failed}/${status.batches} ` +
          `${bar(status.batches_done + status.batches_failed, status.batches)} ` +
          `added ${status.candidates_added} · ${status.state} · ETA ${eta}`,
      );

      if (status.state === 'done' || status.state === 'halted' || signal?.aborted) {
        line.done();
        await appendApiRejects(context, status);
        return status;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    line.done();
    await context.close();
  }
}

/**
 * The API's refusals reach the report once the import has settled. The rows keep their number;
 * the original fields are in the input file at that row, so they are not repeated here.
 */
async function appendApiRejects(context: QueueContext, status: ImportStatus): Promise<void> {
  if (status.state !== 'done' || status.rejects_path === null || status.api_refused === 0) {
    return;
  }

  const key = context.keys.importApiRejects(status.import_id);
  const items = await context.redis.lrange(key, 0, -1);
  const delimiter = await reportDelimiter(status.rejects_path);
  const lines = items.map((item) => {
    const reject = JSON.parse(item) as Reject;
    return formatReportLine([String(reject.row), reject.reason, reject.message], delimiter);
  });
  await appendFile(status.rejects_path, lines.join(''));
  // Appended once: a second `--wait` on the same import finds the list gone.
  await context.redis.del(key);
}

/** The pace of add calls the configured windows allow, in the long run. */
export function addCallsPerMs(spec: string): number {
  const windows = parseRateLimits(spec).filter((w) => w.scope === 'all' || w.scope === 'adds');
  if (windows.length === 0) {
    return Number.POSITIVE_INFINITY;
  }
  return Math.min(...windows.map((window) => window.points / window.durationMs));
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '?';
  }
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${seconds % 60}s`
    : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
