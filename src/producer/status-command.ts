import type { Command } from 'commander';
import { loadConfig } from '../shared/config.js';
import { EXIT } from '../shared/exit-codes.js';
import { listRecentImports } from '../shared/import-record.js';
import { type ImportStatus, readImportStatus } from '../shared/import-status.js';
import { openQueueContext } from '../shared/queue-context.js';
import { describeStatus, exitCodeOf } from './import-report.js';

const RECENT_IMPORTS = 20;

export function registerStatusCommand(program: Command): void {
  program
    .command('status [import-id]')
    .description('where an import stands, or the recent imports')
    .option('--json', 'print JSON on stdout', false)
    .action(async (importId: string | undefined, options: { json: boolean }) => {
      const context = await openQueueContext(loadConfig(), { persistent: false });
      try {
        if (importId === undefined) {
          const ids = await listRecentImports(context.redis, context.keys, RECENT_IMPORTS);
          const statuses: ImportStatus[] = [];
          for (const id of ids) {
            const status = await readImportStatus(context.redis, context.keys, id);
            if (status !== undefined) {
              statuses.push(status);
            }
          }
          const text = statuses.length === 0 ? 'no import yet' : statuses.map(describeStatus);
          process.stdout.write(
            options.json ? `${JSON.stringify(statuses)}\n` : `${[text].flat().join('\n\n')}\n`,
          );
          return;
        }

        const status = await readImportStatus(context.redis, context.keys, importId);
        if (status === undefined) {
          process.stderr.write(`voicehire: no import ${importId}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        process.stdout.write(
          options.json ? `${JSON.stringify(status)}\n` : `${describeStatus(status)}\n`,
        );
        process.exitCode = exitCodeOf(status);
      } finally {
        await context.close();
      }
    });
}
