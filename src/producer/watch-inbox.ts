import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../shared/config.js';
import { connectRedis } from '../shared/redis-connection.js';
import { type FileOutcome, importInboxFile } from './import-inbox-file.js';
import { type InboxFile, scanInbox } from './inbox-files.js';
import { SettleTracker } from './settle-tracker.js';
import type { WatchEvents } from './watch-events.js';

export interface WatchOptions {
  /** The folder watched. */
  inbox: string;
  /**
   * The campaign of files at the inbox's top level. Without it, only campaign sub-folders (named
   * by a campaign id) are imported from. Sub-folders always use their own id.
   */
  campaignId?: string;
  /** Time between two scans, in ms. Default 2000. */
  intervalMs?: number;
  /** How long a file's size and modification time must stay the same, in ms. Default 2000. */
  settleMs?: number;
  /** Import the files there, waiting for them to settle, then return. Default false. */
  once?: boolean;
  /** Stops the watcher; an import under way is finished first. */
  signal?: AbortSignal;
}

/** What a watcher did, for `--once`'s exit code. */
export interface WatchTotals {
  imported: number;
  refused: number;
  /** Times a file was left in the inbox after a passing failure, to be tried again. */
  deferred: number;
  /** Scans that could not list the inbox. */
  scansFailed: number;
}

const DEFAULT_INTERVAL_MS = 2000;
const DEFAULT_SETTLE_MS = 2000;

/**
 * Imports every candidate file dropped into the inbox, one at a time, in name order, once it is
 * completely written: into processed/ when imported, failed/ when refused as a whole, left in
 * place (and tried again) when the import failed for a passing reason. Returns when the signal
 * stops it or, with `once`, when nothing is left to wait for.
 *
 * The inbox is polled, not watched with fs.watch: inotify and its kin hear nothing of files
 * written from another machine on an NFS or SMB share, a usual inbox, while a listing every two
 * seconds costs next to nothing, and telling that a file is settled needs repeated looks anyway.
 *
 * Nothing but the move out of the inbox records that a file was handled. A watcher stopped
 * between an import and its move (a crash, a full disk) imports the file again when it starts.
 * That is safe: the import id comes from the campaign and the file's content, and an import run
 * again queues only the batches an earlier run did not, here none (its summary says 0 queued).
 */
export async function watchInbox(
  options: WatchOptions,
  config: Config,
  events: WatchEvents,
): Promise<WatchTotals> {
  const watch = new InboxWatch(options, config, events);
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;

  while (!options.signal?.aborted) {
    const pass = await watch.pass();

    // --once ends when nothing is left to wait for, or at the first outage: cron comes back.
    if (options.once && (pass.pending === 0 || pass.interrupted)) {
      break;
    }
    // An abort ends the sleep early; the loop's condition then ends the watch.
    await sleep(intervalMs, undefined, { signal: options.signal }).catch(() => {});
  }

  return watch.totals;
}

/** What one pass left: files still settling, and whether an outage (Redis, the inbox) cut it. */
interface PassResult {
  pending: number;
  interrupted: boolean;
}

/** A watcher's memory from one scan to the next. */
class InboxWatch {
  readonly totals: WatchTotals = { imported: 0, refused: 0, deferred: 0, scansFailed: 0 };
  readonly #options: WatchOptions;
  readonly #config: Config;
  readonly #events: WatchEvents;
  readonly #tracker: SettleTracker;
  /** What was reported as left alone, so that each is said once while it is there. */
  #ignored = new Set<string>();
  /** Files found locked by their writer, reported once while they are. */
  readonly #locked = new Set<string>();
  /** Files handled but not moved out, by path, with the size and mtime they had then. */
  readonly #unmovable = new Map<string, string>();
  /** When Redis was found away, until it answers again: imports wait for it meanwhile. */
  #redisAwaySince: number | undefined;

  constructor(options: WatchOptions, config: Config, events: WatchEvents) {
    this.#options = options;
    this.#config = config;
    this.#events = events;
    this.#tracker = new SettleTracker(options.settleMs ?? DEFAULT_SETTLE_MS);
  }

  /** Scans the inbox and imports, in name order, each file that has settled. */
  async pass(): Promise<PassResult> {
    const files = await this.#scan();
    if (files === undefined) {
      return { pending: 0, interrupted: true };
    }
    const now = Date.now();
    const result: PassResult = { pending: 0, interrupted: false };

    for (const file of files) {
      // A stop lets the import under way finish, then takes effect here.
      if (this.#options.signal?.aborted) {
        break;
      }
      // Left alone until it changes, rather than imported again on every scan.
      if (this.#unmovable.get(file.path) === fingerprint(file)) {
        continue;
      }

      const settled = this.#tracker.observe(file.path, file, now);
      const readiness = settled ? await readinessOf(file) : 'changing';
      if (readiness === 'gone') {
        continue;
      }
      if (readiness !== 'ready') {
        this.#reportWaiting(file, readiness);
        result.pending += 1;
        continue;
      }

      // With Redis away, every other file would fail the same way: the next scan tries again.
      const outcome = await this.#import(file);
      if (outcome === 'unreachable') {
        result.interrupted = true;
        break;
      }
    }
    return result;
  }

  /** Imports one settled file and counts how it went; Redis found away holds the next ones. */
  async #import(file: InboxFile): Promise<FileOutcome> {
    if (this.#redisAwaySince !== undefined) {
      // The outage was reported when it began: until Redis answers, the file simply waits.
      if (!(await redisAnswers(this.#config))) {
        this.totals.deferred += 1;
        return 'unreachable';
      }
      this.#events.redisBack({ awayMs: Date.now() - this.#redisAwaySince });
      this.#redisAwaySince = undefined;
    }

    const outcome = await importInboxFile(file, this.#config, this.#events);
    this.#tracker.forget(file.path);

    if (outcome === 'imported') {
      this.totals.imported += 1;
    } else if (outcome === 'refused') {
      this.totals.refused += 1;
    } else if (outcome === 'unmovable') {
      this.#unmovable.set(file.path, fingerprint(file));
    } else if (outcome === 'deferred' || outcome === 'unreachable') {
      this.totals.deferred += 1;
    }
    if (outcome === 'unreachable') {
      this.#redisAwaySince = Date.now();
    }
    return outcome;
  }

  /** Lists the inbox and reports once what it leaves alone; undefined when it cannot be read. */
  async #scan(): Promise<InboxFile[] | undefined> {
    let scan: Awaited<ReturnType<typeof scanInbox>>;
    try {
      scan = await scanInbox(this.#options.inbox, this.#options.campaignId);
    } catch (err) {
      this.#events.scanFailed({ err: err as Error });
      this.totals.scansFailed += 1;
      return undefined;
    }

    const ignored = new Set<string>();
    for (const entry of scan.ignored) {
      const key = `${entry.reason}:${entry.path}`;
      if (!this.#ignored.has(key)) {
        this.#events.ignored({ file: entry.name, reason: entry.reason });
      }
      ignored.add(key);
    }

    // What is gone is forgotten, so that a file dropped again is seen (and reported) afresh.
    const present = new Set(scan.files.map((file) => file.path));
    this.#ignored = ignored;
    this.#tracker.keepOnly(present);
    for (const path of [...this.#locked, ...this.#unmovable.keys()]) {
      if (!present.has(path)) {
        this.#locked.delete(path);
        this.#unmovable.delete(path);
      }
    }
    return scan.files;
  }

  /** A file still changing is news (at debug level) on every scan; a locked one only once. */
  #reportWaiting(file: InboxFile, reason: 'changing' | 'locked'): void {
    if (reason === 'locked') {
      if (this.#locked.has(file.path)) {
        return;
      }
      this.#locked.add(file.path);
    }
    this.#events.waiting({ file: file.name, campaignId: file.campaignId, reason });
  }
}

/**
 * Whether a file that looked settled can be read now, and is still what the scan saw: an import
 * of a large file may have run since. A writer on Windows holds its file locked (EBUSY, EPERM)
 * until it is done, which tells more than any delay; elsewhere opening always succeeds.
 */
async function readinessOf(file: InboxFile): Promise<'ready' | 'changing' | 'locked' | 'gone'> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file.path, 'r');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'locked';
  }

  try {
    const stats = await handle.stat();
    return stats.size === file.size && stats.mtimeMs === file.mtimeMs ? 'ready' : 'changing';
  } finally {
    await handle.close();
  }
}

/**
 * Whether Redis answers now. Asked before an import once Redis was found away, so that an outage
 * costs a failed connection a scan, not an import started and abandoned each time: runImport
 * opens the file and its report before it connects.
 */
async function redisAnswers(config: Config): Promise<boolean> {
  try {
    const redis = await connectRedis(config.REDIS_URL, { cluster: config.REDIS_CLUSTER });
    await redis.quit().catch(() => redis.disconnect());
    return true;
  } catch {
    return false;
  }
}

function fingerprint(file: InboxFile): string {
  return `${file.size}:${file.mtimeMs}`;
}
