import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportIds } from './record-candidates.js';

/**
 * Records the staged batches in the mapping store from a worker thread while the main thread
 * queues them: the two costs of the queueing phase, SQLite's inserts (~6 µs a candidate) and
 * BullMQ's addBulk, then run on the machine's two cores instead of one after the other. A batch
 * is still queued only once it is recorded (`recorded(n)`), so that its webhooks find it.
 */
export interface StagedRecorder {
  /** Resolves once the first `count` batches are recorded; rejects if the thread failed. */
  recorded(count: number): Promise<void>;
  /** Stops the thread (a transaction under way is rolled back) if it is still running. */
  close(): Promise<void>;
}

/** What the thread is given. */
export interface RecorderTask extends ImportIds {
  databaseUrl: string;
  stagingPath: string;
}

/** What the thread says: batches recorded so far, or why it stopped. */
export interface RecorderMessage {
  recorded: number;
  done?: boolean;
  error?: string;
}

const THREAD = new URL('./staged-recorder-thread.js', import.meta.url);

/**
 * Starts the thread, or returns undefined when its compiled file is absent (the sources run
 * under vitest, which cannot load TypeScript in a worker): the caller then records in line.
 */
export function startStagedRecorder(task: RecorderTask): StagedRecorder | undefined {
  if (!existsSync(fileURLToPath(THREAD))) {
    return undefined;
  }

  const thread = new Worker(THREAD, { workerData: task });
  let recorded = 0;
  let failure: Error | undefined;
  let exited = false;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) {
      wake();
    }
  };

  thread.on('message', (message: RecorderMessage) => {
    if (message.error !== undefined) {
      failure = new Error(`recording the candidates failed: ${message.error}`);
    } else {
      recorded = message.recorded;
    }
    wakeAll();
  });
  thread.on('error', (err) => {
    failure = err;
    wakeAll();
  });
  const exit = new Promise<void>((resolve) =>
    thread.on('exit', () => {
      exited = true;
      wakeAll();
      resolve();
    }),
  );

  return {
    async recorded(count) {
      while (recorded < count) {
        if (failure !== undefined) {
          throw failure;
        }
        if (exited) {
          throw new Error(`the recording thread stopped after ${recorded} of ${count} batches`);
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
    async close() {
      if (!exited) {
        await thread.terminate();
      }
      await exit;
    },
  };
}
