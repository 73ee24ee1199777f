import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/**
 * Fields that could carry personal data or secrets. Code never logs them on purpose; this list
 * is the safety net for an object logged whole by mistake.
 */
const redactedPaths = [
  'phone',
  'email',
  'first_name',
  'last_name',
  'apiKey',
  'key',
  'password',
  'secret',
  'headers["x-api-key"]',
  '*.phone',
  '*.email',
  '*.first_name',
  '*.last_name',
  '*.apiKey',
  'candidates',
  '*.candidates',
];

/**
 * The product's logger: JSON lines on stderr, so that stdout stays free for `--json` output;
 * readable lines when stderr is a terminal.
 */
export function createLogger(level: string, name = 'voicehire'): Logger {
  const options = { name, level, redact: { paths: redactedPaths, censor: '[redacted]' } };

  if (process.stderr.isTTY) {
    const pretty = pinoPretty({ destination: 2, sync: true, ignore: 'pid,hostname,name' });
    return pino(options, pretty);
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
