import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../shared/config.js';
import { EXIT, UsageError } from '../shared/exit-codes.js';
import type { CandidateMapping } from './mapping-store.js';
import { describeDatabase, openMappingStore } from './open-mapping-store.js';
import { formatResultsCsv, formatResultsJson } from './results-export.js';

const CAMPAIGN_ID = /^[0-9a-f]{12}$/;

interface ResultsCommandOptions {
  campaign: string;
  out?: string;
  json: boolean;
}

export function registerResultsCommand(program: Command): void {
  program
    .command('results')
    .description("a campaign's interview outcomes, one row per candidate, with your own ids")
    .requiredOption('--campaign <id>', 'VoiceHire campaign id (12 hex characters)')
    .option('--out <path>', 'where the CSV goes; "-" or none: stdout')
    .option('--json', 'a JSON array instead of CSV', false)
    .action(async (options: ResultsCommandOptions) => {
      process.exitCode = await resultsAction(options);
    });
}

async function resultsAction(options: ResultsCommandOptions): Promise<number> {
  if (!CAMPAIGN_ID.test(options.campaign)) {
    throw new UsageError(
      `--campaign ${JSON.stringify(options.campaign)}: expected a campaign id of 12 lowercase ` +
        'hex characters, such as abc123def456',
    );
  }
  const config = loadConfig();

  const store = await openMappingStore(config.DATABASE_URL);
  let mappings: CandidateMapping[];
  try {
    mappings = await store.listCampaign(options.campaign);
  } finally {
    await store.close();
  }

  const text = options.json ? formatResultsJson(mappings) : formatResultsCsv(mappings);
  const toStdout = options.out === undefined || options.out === '-';
  if (toStdout) {
    process.stdout.write(text);
  } else {
    await writeFile(options.out as string, text);
  }

  if (mappings.length === 0) {
    process.stderr.write(
      `voicehire: no candidate of campaign ${options.campaign} in ` +
        `${describeDatabase(config.DATABASE_URL)} yet\n`,
    );
  } else if (!toStdout) {
    process.stderr.write(`${mappings.length} candidates written to ${options.out}\n`);
  }
  return EXIT.OK;
}
