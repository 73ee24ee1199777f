import { InFileDedup } from '../src/producer/in-file-dedup.js';
import { nthMobile } from '../test/support/candidate-file.js';

/**
 * The memory the in-file dedup keeps for each unique phone, the one structure of the producer
 * that grows with the file: heap and array buffers after a full GC, before and after `phones`
 * distinct phones. Run with --expose-gc: `node --expose-gc dedup-memory.js <phones>`.
 */
function retainedBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const phones = Number(process.argv[2]);
const before = retainedBytes();
const dedup = new InFileDedup();
for (let i = 0; i < phones; i++) {
  dedup.firstRowOf(`+33${nthMobile(i).slice(1)}`, i + 1);
}
const after = retainedBytes();

process.stdout.write(
  `${JSON.stringify({ phones: dedup.size, bytesPerPhone: (after - before) / dedup.size })}\n`,
);
