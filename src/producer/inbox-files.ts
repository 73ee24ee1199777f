import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What in an inbox folder is a candidate file to import, and into which campaign. The inbox
 * holds files at its top level (for the `--campaign` campaign) and one sub-folder per campaign,
 * named by the campaign's id; each of those folders gets `processed/` and `failed/` beside its
 * files. Nothing deeper is looked at.
 */

/** A file to import once it has settled. */
export interface InboxFile {
  path: string;
  /** The file's name, the only part of its path that logs carry. */
  name: string;
  /** The folder it sits in: the inbox, or a campaign sub-folder. */
  folder: string;
  campaignId: string;
  size: number;
  mtimeMs: number;
}

export type IgnoreReason = 'no campaign' | 'not a campaign folder' | 'not a candidate file';

/** Something the watcher leaves alone, and says so once. */
export interface IgnoredEntry {
  path: string;
  name: string;
  reason: IgnoreReason;
}

export interface InboxScan {
  files: InboxFile[];
  ignored: IgnoredEntry[];
}

/** Where handled files go, inside the folder they came from. */
export const PROCESSED_FOLDER = 'processed';
export const FAILED_FOLDER = 'failed';

export const CAMPAIGN_ID = /^[0-9a-f]{12}$/;

const CANDIDATE_FILE = /\.(csv|tsv|txt)$/i;

// What editors, browsers and copy tools leave while they write: Office's `~$` owner files,
// `.part` / `.tmp` / `.crdownload` downloads, and every dotfile (`.~lock.x.csv#`, `.x.swp`).
const TEMPORARY_FILE = /^(\.|~\$)|\.(part|tmp|crdownload)$/i;

/**
 * Lists the inbox: candidate files with their campaign, size and modification time, and what is
 * left alone. `campaignId` is the campaign of files at the top level; without it they are
 * ignored. Files come in name order, the order they are imported in.
 */
export async function scanInbox(inbox: string, campaignId?: string): Promise<InboxScan> {
  const scan: InboxScan = { files: [], ignored: [] };

  for (const entry of await listFolder(inbox)) {
    if (entry.isFolder) {
      await scanSubFolder(entry, scan);
      continue;
    }
    addFile(entry, campaignId, scan);
  }

  scan.files.sort(byName);
  return scan;
}

interface FolderEntry {
  path: string;
  name: string;
  folder: string;
  isFolder: boolean;
  size: number;
  mtimeMs: number;
}

async function scanSubFolder(entry: FolderEntry, scan: InboxScan): Promise<void> {
  if (entry.name === PROCESSED_FOLDER || entry.name === FAILED_FOLDER) {
    return;
  }
  if (!CAMPAIGN_ID.test(entry.name)) {
    scan.ignored.push({ path: entry.path, name: entry.name, reason: 'not a campaign folder' });
    return;
  }

  for (const inner of await listFolder(entry.path)) {
    if (inner.isFolder) {
      // processed/ and failed/ are ours; any other folder this deep is not looked into.
      if (inner.name !== PROCESSED_FOLDER && inner.name !== FAILED_FOLDER) {
        scan.ignored.push({ path: inner.path, name: inner.name, reason: 'not a campaign folder' });
      }
      continue;
    }
    addFile(inner, entry.name, scan);
  }
}

function addFile(entry: FolderEntry, campaignId: string | undefined, scan: InboxScan): void {
  const { path, name } = entry;

  if (!CANDIDATE_FILE.test(name)) {
    scan.ignored.push({ path, name, reason: 'not a candidate file' });
    return;
  }
  if (campaignId === undefined) {
    scan.ignored.push({ path, name, reason: 'no campaign' });
    return;
  }
  scan.files.push({ ...entry, campaignId });
}

/**
 * The folder's regular files and folders, without temporary and hidden ones. Links are followed.
 * An entry that vanishes between the listing and its stat (a writer renaming `x.csv.part` to
 * `x.csv`) is simply not there: the next scan sees what replaced it.
 */
async function listFolder(folder: string): Promise<FolderEntry[]> {
  const names = (await readdir(folder)).filter((name) => !TEMPORARY_FILE.test(name)).sort();
  const entries: FolderEntry[] = [];

  for (const name of names) {
    const path = join(folder, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats === undefined || !(stats.isFile() || stats.isDirectory())) {
      continue;
    }
    entries.push({
      path,
      name,
      folder,
      isFolder: stats.isDirectory(),
      size: stats.size,
      mtimeMs: stats.mtimeMs,
    });
  }
  return entries;
}

/** By file name, numbers compared as numbers (`part-2` before `part-10`), then by folder. */
function byName(a: InboxFile, b: InboxFile): number {
  return (
    a.name.localeCompare(b.name, 'en', { numeric: true }) ||
    a.folder.localeCompare(b.folder, 'en', { numeric: true })
  );
}
