import { parentPort, workerData } from 'node:worker_threads';
import { openMappingStore } from '../results/open-mapping-store.js';
import { BatchStaging } from './batch-staging.js';
import { recordInGroups } from './record-candidates.js';
import type { RecorderMessage, RecorderTask } from './staged-recorder.js';

/**
 * The thread of staged-recorder.ts: reads the staged batches from the file and records them in
 * a connection of its own, telling the main thread how many are recorded after each group.
 */
async function recordStaged(task: RecorderTask): Promise<void> {
  const store = await openMappingStore(task.databaseUrl);
  let recorded = 0;

  try {
    const batches = recordInGroups(BatchStaging.readFile(task.stagingPath), store, task);
    for await (const _batch of batches) {
      recorded += 1;
      post({ recorded });
    }
    post({ recorded, done: true });
  } finally {
    await store.close();
  }
}

function post(message: RecorderMessage): void {
  parentPort?.postMessage(message);
}

recordStaged(workerData as RecorderTask).catch((err: unknown) => {
  post({ recorded: -1, error: err instanceof Error ? err.message : String(err) });
});
