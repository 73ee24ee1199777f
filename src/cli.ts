#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from './shared/config.js';
import { EXIT, UsageError } from './shared/exit-codes.js';

const program = new Command()
  .name('voicehire')
  .description('Push large candidate lists into VoiceHire campaigns, within the API limits.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

program.configureOutput({ outputError: (text, write) => write(text) });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version "fail" with exit code 0 by design.
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`voicehire: ${err.message}\n`);
    return EXIT.USAGE;
  }
  process.stderr.write(`voicehire: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.USAGE;
}
