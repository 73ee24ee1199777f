import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Config } from '../shared/config.js';
import { UsageError } from '../shared/exit-codes.js';
import { FAILED_FOLDER, type InboxFile, PROCESSED_FOLDER } from './inbox-files.js';
import { chooseDestination, moveToFailed, moveToProcessed } from './inbox-moves.js';
import { CsvInputError } from './input-errors.js';
import { type ImportSummary, runImport } from './run-import.js';
import type { WatchEvents } from './watch-events.js';

/**
 * How the import of one inbox file ended:
 * - `imported`: queued (or found queued already), the file in processed/ with its rejects report;
 * - `refused`: refused as a whole, the file in failed/ with its reason;
 * - `vanished`: someone took the file away first;
 * - `unmovable`: handled, but it could not be moved out of the inbox;
 * - `deferred`: a passing failure, the file stays to be tried again;
 * - `unreachable`: Redis could not be reached, the file stays; so would every other.
 */
export type FileOutcome =
  | 'imported'
  | 'refused'
  | 'vanished'
  | 'unmovable'
  | 'deferred'
  | 'unreachable';

/** Imports one settled file of the inbox and moves it out, reporting what happened. */
export async function importInboxFile(
  file: InboxFile,
  config: Config,
  events: WatchEvents,
): Promise<FileOutcome> {
  const ref = { file: file.name, campaignId: file.campaignId };

  let destination: Awaited<ReturnType<typeof chooseDestination>>;
  try {
    destination = await chooseDestination(file, PROCESSED_FOLDER);
  } catch (err) {
    events.moveFailed({ ...ref, err: err as Error });
    return 'unmovable';
  }

  let summary: ImportSummary;
  events.importing({ ...ref, bytes: file.size });
  try {
    const options = { file: file.path, campaignId: file.campaignId };
    summary = await runImport({ ...options, rejectsPath: destination.companion }, config);
  } catch (err) {
    if (err instanceof CsvInputError) {
      return refuse(file, err, events);
    }
    // A report without its file in processed/ would say an import happened that did not.
    await rm(destination.companion, { force: true }).catch(() => {});
    events.deferred({ ...ref, err: err as Error });
    // runImport's UsageErrors past its campaign check (done by the caller) are a Redis out of
    // reach: the file stays, and is tried again later.
    return err instanceof UsageError ? 'unreachable' : 'deferred';
  }

  try {
    await moveToProcessed(file, destination);
  } catch (err) {
    events.moveFailed({ ...ref, err: err as Error });
    return 'unmovable';
  }

  events.imported({
    ...ref,
    importId: summary.importId,
    rows: summary.rows,
    valid: summary.valid,
    invalid: summary.invalid,
    duplicates: summary.duplicates,
    alreadySent: summary.alreadySent,
    batches: summary.batches,
    batchesQueued: summary.batchesQueued,
    rejects: summary.rejects,
    movedTo: `${PROCESSED_FOLDER}/${basename(destination.file)}`,
  });
  return 'imported';
}

async function refuse(
  file: InboxFile,
  error: CsvInputError,
  events: WatchEvents,
): Promise<FileOutcome> {
  const ref = { file: file.name, campaignId: file.campaignId };
  if (error.code === 'FILE_NOT_FOUND') {
    events.vanished(ref);
    return 'vanished';
  }

  try {
    const destination = await chooseDestination(file, FAILED_FOLDER);
    await moveToFailed(file, destination, error);
    events.refused({
      ...ref,
      code: error.code,
      // The message starts with the file's full path; logs carry its name alone.
      problem: error.message.slice(error.path.length).replace(/^: /, ''),
      movedTo: `${FAILED_FOLDER}/${basename(destination.file)}`,
    });
    return 'refused';
  } catch (err) {
    events.moveFailed({ ...ref, err: err as Error });
    return 'unmovable';
  }
}
