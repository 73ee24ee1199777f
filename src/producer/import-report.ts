import { EXIT } from '../shared/exit-codes.js';
import type { ImportStatus } from '../shared/import-status.js';
import type { ImportSummary } from './run-import.js';

/** How an import's outcome reads: on a terminal, as JSON, and as an exit code. */

export function exitCodeOf(status: ImportStatus): number {
  if (status.state === 'halted') {
    return EXIT.HALTED;
  }
  return status.batches_failed > 0 ? EXIT.BATCHES_FAILED : EXIT.OK;
}

export function summaryJson(summary: ImportSummary) {
  return {
    import_id: summary.importId,
    campaign_id: summary.campaignId,
    rows: summary.rows,
    valid: summary.valid,
    invalid: summary.invalid,
    invalid_by_reason: summary.invalidByReason,
    duplicates: summary.duplicates,
    already_sent: summary.alreadySent,
    batches: summary.batches,
    batches_queued: summary.batchesQueued,
    rejects_path: summary.rejectsPath,
    dry_run: summary.dryRun,
  };
}

export function describeSummary(summary: ImportSummary): string {
  const reasons = Object.entries(summary.invalidByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const queued = summary.dryRun
    ? 'dry run: nothing queued'
    : summary.batchesQueued < summary.batches
      ? `${summary.batchesQueued} newly queued (the rest were queued by an earlier run)`
      : `${summary.batchesQueued} queued`;

  return [
    `import ${summary.importId} into campaign ${summary.campaignId}`,
    `  rows          ${summary.rows}`,
    `  valid         ${summary.valid}`,
    `  invalid       ${summary.invalid}${reasons ? ` (${reasons})` : ''}`,
    `  duplicates    ${summary.duplicates}`,
    `  already sent  ${summary.alreadySent}`,
    `  batches       ${summary.batches}: ${queued}`,
    `  rejects       ${summary.rejects} in ${summary.rejectsPath}`,
  ].join('\n');
}

export function describeStatus(status: ImportStatus): string {
  const lines = [
    `import ${status.import_id}: ${status.state}`,
    `  batches       ${status.batches_done} done, ${status.batches_failed} failed, ` +
      `${status.batches} in all`,
    `  candidates    ${status.candidates_added} added, ${status.candidates_skipped} skipped ` +
      `(already in the campaign), ${status.api_refused} refused by the API`,
  ];
  if (status.halted !== null) {
    lines.push(`  halted        ${status.halted}`);
  }
  if (status.batches_failed > 0) {
    lines.push('  failed batches stay in the queue: `voicehire retry-failed` sends them again');
  }
  if (status.rejects_path !== null) {
    lines.push(`  rejects       ${status.rejects_path}`);
  }
  return lines.join('\n');
}
