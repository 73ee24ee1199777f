/** The exit codes of every `voicehire` command, documented in the README. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** Usage or configuration error: unknown flag, bad variable, Redis unreachable. */
  USAGE: 1,
  /** The input was refused as a whole; nothing was enqueued. */
  INPUT_REFUSED: 2,
  /** The queue is halted (credits, authentication); nothing is lost. */
  HALTED: 3,
  /** Some batches failed for good; `voicehire retry-failed` re-queues them. */
  BATCHES_FAILED: 4,
} as const;

/** A command line that cannot be acted on; exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'USAGE';
}
