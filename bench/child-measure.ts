/**
 * What a bench child process reports on its last line of stdout: the rows it went through, the
 * time they took, and the process's peak resident memory as the kernel counted it.
 */
export interface ChildFigures {
  rows: number;
  ms: number;
  peakRssMb: number;
  /** Distinct valid phones kept for the in-file dedup, when the run knows it. */
  uniquePhones?: number;
}

/** Times `work` and prints its figures as JSON, for bench/run-bench.ts to read. */
export async function measure(
  work: () => Promise<{ rows: number; uniquePhones?: number }>,
): Promise<void> {
  const started = performance.now();
  const { rows, uniquePhones } = await work();
  const ms = performance.now() - started;

  // maxRSS is in kilobytes, the peak over the process's whole life.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const figures: ChildFigures = { rows, ms, peakRssMb, ...(uniquePhones ? { uniquePhones } : {}) };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
