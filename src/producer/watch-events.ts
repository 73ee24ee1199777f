import type { Logger } from '../shared/logger.js';
import type { IgnoreReason } from './inbox-files.js';
import type { CsvInputErrorCode } from './input-errors.js';

/** A file of the inbox as logs name it: its name alone, and where it is going. */
interface FileRef {
  file: string;
  campaignId: string;
}

/**
 * What the inbox watcher reports. The watcher only emits; this file alone turns each event into
 * a log line, with file names, ids and counts, never a row's contents.
 */
export interface WatchEvents {
  /** Left alone: reported once per file or folder. */
  ignored(event: { file: string; reason: IgnoreReason }): void;
  /** Seen, but still being written (or still locked by its writer). */
  waiting(event: FileRef & { reason: 'changing' | 'locked' }): void;
  /** Settled: its import starts. */
  importing(event: FileRef & { bytes: number }): void;
  imported(
    event: FileRef & {
      importId: string;
      rows: number;
      valid: number;
      invalid: number;
      duplicates: number;
      alreadySent: number;
      batches: number;
      batchesQueued: number;
      rejects: number;
      movedTo: string;
    },
  ): void;
  /** Refused as a whole: it is in failed/, with the reason beside it. */
  refused(event: FileRef & { code: CsvInputErrorCode; problem: string; movedTo: string }): void;
  /** Removed from the inbox by someone else before it was imported. */
  vanished(event: FileRef): void;
  /**
   * Not imported for a passing reason: it stays and is tried again. Redis unreachable is
   * reported once, when it is found away; `redisBack` tells when imports resume.
   */
  deferred(event: FileRef & { err: Error }): void;
  redisBack(event: { awayMs: number }): void;
  /** Handled, but it could not be moved out of the inbox; it is left alone until it changes. */
  moveFailed(event: FileRef & { err: Error }): void;
  /** The inbox could not be listed; the next scan tries again. */
  scanFailed(event: { err: Error }): void;
}

export function logWatchEvents(logger: Logger): WatchEvents {
  return {
    ignored: (event) => logger.warn(event, 'file left alone'),
    waiting: (event) => logger.debug(event, 'file not settled yet'),
    importing: (event) => logger.info(event, 'importing file'),
    imported: (event) => logger.info(event, 'file imported'),
    // The file's author has to fix it: not the watcher's failure, but someone must look.
    refused: (event) => logger.warn(event, 'file refused'),
    vanished: (event) => logger.info(event, 'file gone before import'),
    deferred: (event) => logger.error(event, 'import failed, will retry'),
    redisBack: (event) => logger.info(event, 'redis answers again, imports resume'),
    moveFailed: (event) => logger.error(event, 'file could not be moved'),
    scanFailed: (event) => logger.error(event, 'inbox could not be read, will retry'),
  };
}
