import type { CapacityFigures, OverheadFigures } from './api-bench.js';
import type { ChildFigures } from './child-measure.js';

/** What the in-file dedup keeps for each unique phone (bench/dedup-memory.ts). */
export interface DedupFigures {
  phones: number;
  bytesPerPhone: number;
}

/** Every figure of one bench run. */
export interface BenchFigures {
  rows: number;
  producer: ChildFigures;
  floor: ChildFigures;
  baseline: ChildFigures;
  /** Dry runs at each size, smallest first. */
  memory: ChildFigures[];
  dedup: DedupFigures;
  capacity: CapacityFigures;
  overhead: OverheadFigures;
  /** Jobs a second through BullMQ with a processor that does nothing. */
  bullmqAlone: number;
  /** Add calls of 100 candidates a second the simulator answers by itself. */
  simulatorAlone: number;
}

/** The targets, checked by the verdict line. */
const TARGETS = {
  rowsPerSecond: 200_000,
  ofFloor: 0.6,
  ofBaseline: 3,
  peakRssMb: 150,
  bytesPerPhone: 40,
  windowShare: 0.99,
  batchesPerSecond: 2_000,
};

function rate(figures: ChildFigures): number {
  return (figures.rows / figures.ms) * 1000;
}

const thousands = (value: number) => Math.round(value).toLocaleString('en');
const mb = (value: number) => `${value.toFixed(0)} MB`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function printReport(figures: BenchFigures): void {
  const producerRate = rate(figures.producer);
  const ofFloor = producerRate / rate(figures.floor);
  const ofBaseline = producerRate / rate(figures.baseline);
  const [, middle, large] = figures.memory as [ChildFigures, ChildFigures, ChildFigures];
  // The slope of peak RSS between the two largest files: garbage the GC has not yet collected
  // counts in it, so it is context; the target is checked on the dedup's retained bytes.
  const rssPerPhone =
    ((large.peakRssMb - middle.peakRssMb) * 1024 * 1024) /
    Math.max(1, (large.uniquePhones ?? 0) - (middle.uniquePhones ?? 0));
  const { capacity, overhead } = figures;

  const lines: Array<[string, string, string]> = [
    [
      `producer, ${thousands(figures.rows)} rows to jobs in Redis`,
      `${thousands(producerRate)} rows/s, peak RSS ${mb(figures.producer.peakRssMb)}`,
      `>= ${thousands(TARGETS.rowsPerSecond)} rows/s, <= ${TARGETS.peakRssMb} MB`,
    ],
    [
      'csv-parse alone, same file (floor)',
      `${thousands(rate(figures.floor))} rows/s; producer ${ofFloor.toFixed(2)}x`,
      `>= ${TARGETS.ofFloor}x`,
    ],
    [
      'baseline (columns, zod, libphonenumber, add per batch)',
      `${thousands(rate(figures.baseline))} rows/s; producer ${ofBaseline.toFixed(2)}x`,
      `>= ${TARGETS.ofBaseline}x`,
    ],
    ...figures.memory.map((run): [string, string, string] => [
      `memory, dry run of ${thousands(run.rows)} rows`,
      `peak RSS ${mb(run.peakRssMb)}, ${thousands(rate(run))} rows/s`,
      '',
    ]),
    ['peak RSS growth per unique phone, dry runs', `${rssPerPhone.toFixed(0)} bytes`, ''],
    [
      `dedup retained per unique phone (${thousands(figures.dedup.phones)} phones)`,
      `${figures.dedup.bytesPerPhone.toFixed(1)} bytes`,
      `<= ${TARGETS.bytesPerPhone} bytes`,
    ],
    [
      `API: binding window used (${capacity.batches} batches, adds:100/1h scaled to 40 s)`,
      `${percent(capacity.windowShare)} (${capacity.fullWindows.join(', ')} calls), ` +
        `gap ${capacity.meanGapMs.toFixed(0)} ms`,
      `>= ${percent(TARGETS.windowShare)}`,
    ],
    ['API: 429s', String(capacity.rateLimited), '0'],
    [
      'API: candidates per call',
      `${capacity.meanCandidatesPerCall.toFixed(2)} mean, ${capacity.shortCalls} short call(s)`,
      '100 but the last',
    ],
    [
      'API: credits on skipped or refused (clean file)',
      `${capacity.creditsOnSkips} (${capacity.skippedOrRefused} skipped or refused)`,
      '0',
    ],
    [
      `queue overhead, zero-latency API (${overhead.batches} batches, 2 workers)`,
      `${thousands(overhead.batchesPerSecond)} batches/s`,
      `>= ${thousands(TARGETS.batchesPerSecond)}`,
    ],
    [
      'reference: BullMQ alone, no-op processor (concurrency 25)',
      `${thousands(figures.bullmqAlone)} jobs/s`,
      '',
    ],
    [
      'reference: the simulator alone, add calls of 100 (50 callers)',
      `${thousands(figures.simulatorAlone)} calls/s`,
      '',
    ],
  ];

  const misses: string[] = [];
  const check = (ok: boolean, name: string) => {
    if (!ok) {
      misses.push(name);
    }
  };
  check(producerRate >= TARGETS.rowsPerSecond, 'producer rows/s');
  check(ofFloor >= TARGETS.ofFloor, 'x floor');
  check(ofBaseline >= TARGETS.ofBaseline, 'x baseline');
  check(figures.producer.peakRssMb <= TARGETS.peakRssMb, 'peak RSS');
  check(figures.dedup.bytesPerPhone <= TARGETS.bytesPerPhone, 'bytes per phone');
  check(capacity.windowShare >= TARGETS.windowShare, 'window share');
  check(capacity.rateLimited === 0, '429s');
  check(capacity.shortCalls <= 1, 'candidates per call');
  check(capacity.creditsOnSkips === 0, 'credits on skips');
  check(overhead.batchesPerSecond >= TARGETS.batchesPerSecond, 'queue overhead');

  const out = ['| measure | this run | target |', '|---|---|---|'];
  for (const [measure, value, target] of lines) {
    out.push(`| ${measure} | ${value} | ${target} |`);
  }
  out.push('');
  out.push(
    misses.length === 0
      ? 'verdict: every target met'
      : `verdict: ${10 - misses.length}/10 targets met; missed: ${misses.join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
