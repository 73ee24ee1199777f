import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../shared/config.js';
import { EXIT } from '../shared/exit-codes.js';
import { formatBytes, ProgressLine } from '../shared/progress-line.js';
import type { CsvDelimiter, CsvEncoding } from './detect-format.js';
import { followImport } from './follow-import.js';
import { describeStatus, describeSummary, exitCodeOf, summaryJson } from './import-report.js';
import { CsvInputError } from './input-errors.js';
import { parseMapOptions } from './map-columns.js';
import { type ImportProgress, type ImportSummary, runImport } from './run-import.js';

interface ImportCommandOptions {
  campaign: string;
  chunkSize: number;
  encoding?: CsvEncoding | 'latin1';
  delimiter?: CsvDelimiter;
  map: string[];
  rejects?: string;
  skipSent: boolean;
  dryRun: boolean;
  json: boolean;
  wait: boolean;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import <file>')
    .description('validate a candidate CSV and queue its candidates in batches of 100')
    .requiredOption('--campaign <id>', 'VoiceHire campaign id (12 hex characters)')
    .option('--chunk-size <rows>', 'rows validated together', chunkSize, 1000)
    .addOption(
      new Option('--encoding <name>', 'force the encoding').choices([
        'utf-8',
        'windows-1252',
        'latin1',
      ]),
    )
    .option('--delimiter <char>', 'force the delimiter: "," ";" or "tab"', delimiter)
    .option('--map <field=Header>', 'map a column by hand (repeatable)', collect, [])
    .option('--rejects <path>', 'where the rejects report goes (default: beside the file)')
    .option('--no-skip-sent', 'also send phones an earlier import sent to this campaign')
    .option('--dry-run', 'validate and report without Redis; nothing is queued', false)
    .option('--json', 'print one JSON object on stdout', false)
    .option('--wait', 'follow the import until every batch is settled or the queue halts', false)
    .action(async (file: string, options: ImportCommandOptions) => {
      process.exitCode = await importAction(file, options);
    });
}

async function importAction(file: string, options: ImportCommandOptions): Promise<number> {
  const config = loadConfig();
  const line = new ProgressLine();
  const started = Date.now();

  let summary: ImportSummary;
  try {
    summary = await runImport(
      {
        file,
        campaignId: options.campaign,
        chunkSize: options.chunkSize,
        format: {
          ...(options.encoding ? { encoding: options.encoding } : {}),
          ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        },
        mapOverrides: parseMapOptions(options.map),
        ...(options.rejects ? { rejectsPath: options.rejects } : {}),
        skipSent: options.skipSent,
        dryRun: options.dryRun,
        onProgress: (progress) => line.update(describeProgress(progress, started)),
      },
      config,
    );
  } catch (err) {
    line.done();
    if (err instanceof CsvInputError) {
      process.stderr.write(`voicehire: file refused, nothing was queued: ${err.message}\n`);
      return EXIT.INPUT_REFUSED;
    }
    throw err;
  }
  line.done();

  if (!options.wait || summary.dryRun) {
    writeResult(options.json, summaryJson(summary), describeSummary(summary));
    return EXIT.OK;
  }

  if (!options.json) {
    process.stdout.write(`${describeSummary(summary)}\nwaiting for the workers…\n`);
  }
  const status = await followImport(summary.importId, config);
  writeResult(options.json, { ...summaryJson(summary), ...status }, describeStatus(status));
  return exitCodeOf(status);
}

function writeResult(json: boolean, object: object, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(object)}\n` : `${text}\n`);
}

function describeProgress(progress: ImportProgress, started: number): string {
  const seconds = Math.max((Date.now() - started) / 1000, 0.001);
  if (progress.phase === 'queueing') {
    return `queueing batches ${progress.batchesQueued}/${progress.batches}`;
  }
  return (
    `reading ${progress.rows.toLocaleString('en')} rows ` +
    `(${Math.round(progress.rows / seconds).toLocaleString('en')} rows/s) ` +
    `${formatBytes(progress.bytesRead)} / ${formatBytes(progress.totalBytes)}`
  );
}

function chunkSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new InvalidArgumentError('expected a whole number of rows from 1 to 100000');
  }
  return size;
}

function delimiter(value: string): CsvDelimiter {
  const named: Record<string, CsvDelimiter> = {
    ',': ',',
    ';': ';',
    tab: '\t',
    '\\t': '\t',
    '\t': '\t',
  };
  const found = named[value];
  if (found === undefined) {
    throw new InvalidArgumentError('expected "," ";" or "tab"');
  }
  return found;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
