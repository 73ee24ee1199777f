import { once } from 'node:events';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WatchEvents } from '../../src/producer/watch-events.js';
import { type WatchOptions, watchInbox } from '../../src/producer/watch-inbox.js';
import { createBatchQueue } from '../../src/shared/batch-queue.js';
import { type Config, loadConfig } from '../../src/shared/config.js';
import type { BatchJobData } from '../../src/shared/jobs.js';
import { freePort, type RedisServer, startRedis } from '../../src/shared/local-redis.js';
import { generateRows, writeCandidateFile } from '../support/candidate-file.js';

const campaignId = 'abc123def456';
const otherCampaign = '0123456789ab';
let redis: Redis;
let inbox: string;
/** The mapping store's folder: beside the inbox, which must hold only what the watcher moves. */
let storeDir: string;
let config: Config;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  inbox = mkdtempSync(join(tmpdir(), 'vh-watch-'));
  storeDir = mkdtempSync(join(tmpdir(), 'vh-watch-store-'));
  const prefix = `{vh-watch-${Math.random().toString(36).slice(2, 10)}}`;
  const DATABASE_URL = join(storeDir, 'voicehire.db');
  config = loadConfig({ REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: prefix, DATABASE_URL });
});

afterEach(() => {
  rmSync(inbox, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

type Recorded = { [K in keyof WatchEvents]: { name: K; event: Parameters<WatchEvents[K]>[0] } };
type RecordedEvent = Recorded[keyof WatchEvents];

/** Every event the watcher emits, in order. */
function recordEvents() {
  const seen: RecordedEvent[] = [];
  const record =
    <K extends keyof WatchEvents>(name: K) =>
    (event: Parameters<WatchEvents[K]>[0]) =>
      seen.push({ name, event } as RecordedEvent);
  const events: WatchEvents = {
    ignored: record('ignored'),
    waiting: record('waiting'),
    importing: record('importing'),
    imported: record('imported'),
    refused: record('refused'),
    vanished: record('vanished'),
    deferred: record('deferred'),
    redisBack: record('redisBack'),
    moveFailed: record('moveFailed'),
    scanFailed: record('scanFailed'),
  };
  const named = <K extends keyof WatchEvents>(name: K) =>
    seen.filter((entry): entry is Recorded[K] => entry.name === name).map((entry) => entry.event);
  return { events, seen, named };
}

/** A fast watcher over the test's inbox: 50 ms between scans, settled after 100 ms. */
function watch(events: WatchEvents, options: Partial<WatchOptions> = {}, watchConfig = config) {
  return watchInbox(
    { inbox, campaignId, intervalMs: 50, settleMs: 100, once: true, ...options },
    watchConfig,
    events,
  );
}

async function queuedBatches(): Promise<BatchJobData[]> {
  const queue = createBatchQueue(redis, config);
  const jobs = await queue.getJobs(['waiting'], 0, -1, true);
  await queue.close();
  return jobs.map((job) => job.data);
}

/**
 * Not server.stop(): it waits for an 'exit' listener that startRedis's readiness check removes
 * again whenever redis-server prints a line, as it does on shutdown; 'close' is left alone.
 */
async function stopRedis(server: RedisServer): Promise<void> {
  const closed = once(server.process, 'close');
  server.process.kill('SIGTERM');
  await closed;
  rmSync(server.dir, { recursive: true, force: true });
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the watcher');
    }
    await sleep(20);
  }
}

describe('when a file is dropped into the inbox', () => {
  it('imports it and moves it to processed/ with its rejects report', async () => {
    const kinds = await writeCandidateFile(join(inbox, 'candidates.csv'), { rows: 450, seed: 2 });
    const { events, named } = recordEvents();

    const totals = await watch(events);

    const [imported] = named('imported');
    expect(totals).toMatchObject({ imported: 1, refused: 0, deferred: 0 });
    expect(imported).toMatchObject({
      file: 'candidates.csv',
      campaignId,
      rows: 450,
      valid: kinds.filter((kind) => kind === 'valid').length,
      movedTo: 'processed/candidates.csv',
    });
    expect(imported?.batchesQueued).toBe(imported?.batches);
    expect(await queuedBatches()).toHaveLength(imported?.batches ?? -1);
    expect(readdirSync(inbox)).toEqual(['processed']);
    const report = readFileSync(join(inbox, 'processed', 'candidates.csv.rejects.csv'), 'utf8');
    const refusedRows = kinds.filter((kind) => kind !== 'valid').length;
    expect(report.trimEnd().split('\r\n')).toHaveLength(1 + refusedRows);
  });

  it('imports a file with an upper-case extension, and a .tsv', async () => {
    await writeCandidateFile(join(inbox, 'EXPORT.CSV'), { rows: 20, seed: 4 });
    await writeCandidateFile(join(inbox, 'ats.tsv'), { rows: 20, seed: 5, delimiter: '\t' });
    const { events, named } = recordEvents();

    await watch(events);

    expect(named('imported').map((event) => event.file)).toEqual(['ats.tsv', 'EXPORT.CSV']);
  });

  it('imports files one at a time, in name order, numbers compared as numbers', async () => {
    for (const [name, seed] of [
      ['part-10.csv', 10],
      ['part-2.csv', 2],
      ['part-1.csv', 1],
    ] as const) {
      await writeCandidateFile(join(inbox, name), { rows: 30, seed });
    }
    const { events, named } = recordEvents();

    await watch(events);

    const files = named('imported').map((event) => event.file);
    expect(files).toEqual(['part-1.csv', 'part-2.csv', 'part-10.csv']);
  });
});

describe('when a file is still being written', () => {
  it('waits until its size and time stop changing, then imports all of it', async () => {
    const file = join(inbox, 'growing.csv');
    const rows = [...generateRows({ rows: 400, seed: 8 })].map(
      (row) => `${row.fields.join(',')}\n`,
    );
    writeFileSync(file, 'ID,First name,Last name,Phone,Email\n');
    const { events, named } = recordEvents();
    const controller = new AbortController();
    const watching = watch(events, { once: false, settleMs: 500, signal: controller.signal });

    // 8 writes 100 ms apart: each scan sees the file change, none sees it still for 500 ms.
    for (let part = 0; part < 8; part++) {
      await sleep(100);
      appendFileSync(file, rows.slice(part * 50, part * 50 + 50).join(''));
      expect(named('imported')).toEqual([]);
    }
    await waitFor(() => named('imported').length > 0);
    controller.abort();
    await watching;

    expect(named('imported')[0]).toMatchObject({ file: 'growing.csv', rows: 400 });
    expect(named('waiting').some((event) => event.reason === 'changing')).toBe(true);
    expect(existsSync(join(inbox, 'processed', 'growing.csv'))).toBe(true);
  });
});

describe('when a file is refused as a whole', () => {
  it('moves it to failed/ with the reason, and queues nothing', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `Ana,Lopez,06${10_000_000 + i},a${i}@x.fr`);
    writeFileSync(
      join(inbox, 'broken.csv'),
      `first_name,last_name,phone,email\n${rows.join('\n')}\nBen,"Morel,0611,b@x.fr\n`,
    );
    writeFileSync(join(inbox, 'no-phone.csv'), 'Prénom,Nom,Courriel\nAna,Lopez,ana@example.fr\n');
    const { events, named } = recordEvents();

    const totals = await watch(events);

    expect(totals).toMatchObject({ imported: 0, refused: 2 });
    expect(named('refused').map(({ file, code }) => [file, code])).toEqual([
      ['broken.csv', 'CSV_MALFORMED'],
      ['no-phone.csv', 'COLUMNS_MISSING'],
    ]);
    const failed = join(inbox, 'failed');
    expect(readdirSync(failed).sort()).toEqual([
      'broken.csv',
      'broken.csv.reason.txt',
      'no-phone.csv',
      'no-phone.csv.reason.txt',
    ]);
    expect(readFileSync(join(failed, 'broken.csv.reason.txt'), 'utf8')).toMatch(
      /code: CSV_MALFORMED\nmessage: .*unclosed quote starting at row 151/,
    );
    expect(readFileSync(join(failed, 'no-phone.csv.reason.txt'), 'utf8')).toContain(
      'no column for phone',
    );
    expect(readdirSync(join(inbox, 'processed'))).toEqual([]);
    expect(await queuedBatches()).toEqual([]);
  });
});

describe('when the inbox has campaign sub-folders', () => {
  it('imports each sub-folder into its own campaign, and top-level files into --campaign', async () => {
    mkdirSync(join(inbox, otherCampaign));
    await writeCandidateFile(join(inbox, otherCampaign, 'team-b.csv'), { rows: 30, seed: 6 });
    await writeCandidateFile(join(inbox, 'team-a.csv'), { rows: 30, seed: 7 });
    const { events, named } = recordEvents();

    await watch(events);

    const routes = named('imported').map(({ file, campaignId }) => [file, campaignId]);
    expect(routes).toEqual([
      ['team-a.csv', campaignId],
      ['team-b.csv', otherCampaign],
    ]);
    const campaigns = new Set((await queuedBatches()).map((batch) => batch.campaignId));
    expect(campaigns).toEqual(new Set([campaignId, otherCampaign]));
    expect(existsSync(join(inbox, otherCampaign, 'processed', 'team-b.csv'))).toBe(true);
    expect(existsSync(join(inbox, otherCampaign, 'processed', 'team-b.csv.rejects.csv'))).toBe(
      true,
    );
  });

  it('without --campaign, leaves top-level files and other folders alone, saying so once', async () => {
    mkdirSync(join(inbox, otherCampaign));
    mkdirSync(join(inbox, 'archive'));
    await writeCandidateFile(join(inbox, otherCampaign, 'team-b.csv'), { rows: 30, seed: 6 });
    await writeCandidateFile(join(inbox, 'stray.csv'), { rows: 30, seed: 7 });
    const { events, named } = recordEvents();
    const controller = new AbortController();
    const watching = watch(events, {
      campaignId: undefined,
      once: false,
      signal: controller.signal,
    });

    await waitFor(() => named('imported').length > 0);
    // A few more scans, which must not repeat the warnings.
    await sleep(300);
    controller.abort();
    await watching;

    expect(named('imported').map((event) => event.campaignId)).toEqual([otherCampaign]);
    expect(named('ignored')).toEqual([
      { file: 'archive', reason: 'not a campaign folder' },
      { file: 'stray.csv', reason: 'no campaign' },
    ]);
    expect(existsSync(join(inbox, 'stray.csv'))).toBe(true);
  });
});

describe('when a file comes back after a crash between its import and its move', () => {
  it('imports it again under the same import id, and queues nothing twice', async () => {
    await writeCandidateFile(join(inbox, 'candidates.csv'), { rows: 350, seed: 3 });
    const first = recordEvents();
    await watch(first.events);
    const batches = (await queuedBatches()).length;

    // What a crash after the import, before the move, would have left in the inbox.
    copyFileSync(join(inbox, 'processed', 'candidates.csv'), join(inbox, 'candidates.csv'));
    const second = recordEvents();
    await watch(second.events);

    const [before] = first.named('imported');
    const [after] = second.named('imported');
    expect(after?.importId).toBe(before?.importId);
    expect(before?.batchesQueued).toBe(batches);
    expect(after?.batchesQueued).toBe(0);
    expect(await queuedBatches()).toHaveLength(batches);
    // The second copy does not overwrite the first in processed/.
    expect(after?.movedTo).toMatch(/^processed\/candidates\.\d{4}-\d\d-\d\dT[\d-]+\.\d{3}Z\.csv$/);
    expect(readdirSync(join(inbox, 'processed'))).toHaveLength(4);
  });
});

describe('when the inbox holds temporary or hidden files', () => {
  it('leaves them alone without a word, and warns once about other file types', async () => {
    const names = [
      '.hidden.csv',
      '~$candidates.csv',
      'candidates.csv.part',
      'candidates.csv.tmp',
      'candidates.csv.crdownload',
      'candidates.xlsx',
    ];
    for (const name of names) {
      writeFileSync(
        join(inbox, name),
        'first_name,last_name,phone,email\nAna,Lopez,0612345678,a@x.fr\n',
      );
    }
    const { events, named } = recordEvents();

    const totals = await watch(events);

    expect(totals.imported).toBe(0);
    expect(named('ignored')).toEqual([{ file: 'candidates.xlsx', reason: 'not a candidate file' }]);
    expect(readdirSync(inbox).sort()).toEqual([...names].sort());
    expect(await queuedBatches()).toEqual([]);
  });
});

describe('when Redis cannot be reached', () => {
  it('leaves the file in the inbox, with no report in processed/, to be tried again', async () => {
    await writeCandidateFile(join(inbox, 'candidates.csv'), { rows: 50, seed: 1 });
    const unreachable = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:1',
      QUEUE_PREFIX: '{vh-down}',
      DATABASE_URL: config.DATABASE_URL,
    });
    const { events, named } = recordEvents();

    const totals = await watch(events, {}, unreachable);

    expect(totals).toMatchObject({ imported: 0, deferred: 1 });
    expect(named('deferred')[0]?.err.message).toContain('cannot reach Redis');
    expect(existsSync(join(inbox, 'candidates.csv'))).toBe(true);
    expect(readdirSync(join(inbox, 'processed'))).toEqual([]);
  });
});

describe('when Redis goes away while the watcher runs', () => {
  it('says so once, then imports the file when Redis answers again', async () => {
    const port = await freePort();
    const later = loadConfig({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: '{vh-back}',
      DATABASE_URL: config.DATABASE_URL,
    });
    await writeCandidateFile(join(inbox, 'candidates.csv'), { rows: 50, seed: 1 });
    const { events, named } = recordEvents();
    const controller = new AbortController();
    const watching = watch(events, { once: false, signal: controller.signal }, later);

    await waitFor(() => named('deferred').length > 0);
    // Several scans meet the outage; none of them says it again.
    await sleep(400);
    const server = await startRedis([], port);
    try {
      await waitFor(() => named('imported').length > 0);
    } finally {
      controller.abort();
      await watching;
      await stopRedis(server);
    }

    expect(named('deferred')).toHaveLength(1);
    expect(named('redisBack')).toHaveLength(1);
    expect(named('imported')[0]?.batchesQueued).toBe(1);
    expect(existsSync(join(inbox, 'processed', 'candidates.csv'))).toBe(true);
  });
});
