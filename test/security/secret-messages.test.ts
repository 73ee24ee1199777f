import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { createAlert } from '../../src/shared/alerts.js';
import { errorFromResponse } from '../../src/shared/api-errors.js';
import { loadConfig } from '../../src/shared/config.js';
import { freePort } from '../../src/shared/local-redis.js';
import { connectRedis } from '../../src/shared/redis-connection.js';

const PASSWORD = 'hunter2-s3cr3t';

async function messageOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a failure');
}

describe('a configuration error', () => {
  it('names each bad variable without quoting a secret, an alert URL or a URL password', async () => {
    const message = await messageOf(() =>
      loadConfig({
        REDIS_URL: `http://admin:${PASSWORD}@cache:6379`,
        DATABASE_URL: `mysql://db/app?user=app&password=${PASSWORD}`,
        ALERT_WEBHOOK_URL: `hooks.slack.com/services/T000/B000/${PASSWORD}`,
        VOICEHIRE_API_KEY: '',
        BATCH_ATTEMPTS: 'many',
      }),
    );

    for (const name of ['REDIS_URL', 'DATABASE_URL', 'ALERT_WEBHOOK_URL', 'BATCH_ATTEMPTS']) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).toContain('"many"');
    expect(message).not.toContain(PASSWORD);
  });
});

describe('an API error', () => {
  it('keeps the API message but masks the phone and email it quotes', () => {
    const body = {
      error: {
        code: 'INVALID_PHONE_NUMBER',
        message: 'candidate 3: +33 6 12 34 56 78 (lea.martin@example.fr) is not reachable',
      },
    };

    const error = errorFromResponse(400, body, new Headers(), 'POST /campaigns/:id/candidates');

    expect(error.message).toBe(
      'POST /campaigns/:id/candidates failed with 400 INVALID_PHONE_NUMBER: ' +
        'candidate 3: [phone] ([email]) is not reachable',
    );
    expect(error.stack).not.toContain('12 34 56 78');
  });
});

describe('a store out of reach', () => {
  it('says where Redis was looked for, without its password', async () => {
    const url = `redis://default:${PASSWORD}@127.0.0.1:${await freePort()}`;

    const message = await messageOf(() => connectRedis(url));

    expect(message).toContain('cannot reach Redis at redis://***@127.0.0.1:');
    expect(message).not.toContain(PASSWORD);
  });

  it('says where PostgreSQL was looked for, without its password', async () => {
    const url = `postgres://voicehire:${PASSWORD}@127.0.0.1:${await freePort()}/voicehire`;

    const message = await messageOf(() => openMappingStore(url));

    expect(message).toContain('cannot open the results database, PostgreSQL at postgres://***@');
    expect(message).not.toContain(PASSWORD);
  });
});

describe('an alert that cannot be posted', () => {
  it('is logged without the webhook URL, whose path is its token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const port = await freePort();
    const config = loadConfig({
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/services/T000/B000/${PASSWORD}`,
    });

    createAlert(config, logger)('queue_halted', 'queue halted: insufficient credits', {});
    await expect
      .poll(() => lines.some((line) => line.includes('alert webhook unreachable')))
      .toBe(true);

    expect(lines.join('')).not.toContain(PASSWORD);
    expect(lines.join('')).not.toContain('/services/');
  });
});
