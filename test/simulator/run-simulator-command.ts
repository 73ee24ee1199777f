import { Command } from 'commander';
import { registerSimulatorCommand } from '../../src/simulator/simulator-command.js';

/** Runs `voicehire simulator …` in this process, with stdout and the stop signal in hand. */
export function runSimulatorCommand(args: string[]) {
  const lines: string[] = [];
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });

  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerSimulatorCommand(program, {
    printLine: (line) => lines.push(line),
    untilStopped: () => stopped,
  });
  const done = program.parseAsync(['simulator', ...args], { from: 'user' });

  return { lines, stop, done };
}
