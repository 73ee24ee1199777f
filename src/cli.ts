#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerImportCommand } from './producer/import-command.js';
import { registerStatusCommand } from './producer/status-command.js';
import { registerWatchCommand } from './producer/watch-command.js';
import { registerResultsCommand } from './results/results-command.js';
import { registerServeCommand } from './server/serve-command.js';
import { ConfigError } from './shared/config.js';
import { EXIT, UsageError } from './shared/exit-codes.js';
import { registerSimulatorCommand } from './simulator/simulator-command.js';
import { registerWorkerCommands } from './worker/worker-commands.js';

const program = new Command()
  .name('voicehire')
  .description('Push large candidate lists into VoiceHire campaigns, within the API limits.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerImportCommand(program);
registerStatusCommand(program);
registerWatchCommand(program);
registerResultsCommand(program);
registerWorkerCommands(program);
registerServeCommand(program);
registerSimulatorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version "fail" with exit code 0 by design; commander printed the rest.
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`voicehire: ${err.message}\n`);
    return EXIT.USAGE;
  }
  // Anything else is a bug or an outage: say it plainly, with the stack for a bug report.
  process.stderr.write(`voicehire: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.USAGE;
}
