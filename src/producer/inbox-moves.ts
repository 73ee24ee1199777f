import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FAILED_FOLDER, type InboxFile, PROCESSED_FOLDER } from './inbox-files.js';
import type { CsvInputError } from './input-errors.js';

/**
 * Where a handled file goes: `processed/` with its rejects report, or `failed/` with the reason
 * it was refused, both inside the folder it was dropped in. Being there is the record that the
 * file was handled: the watcher never looks into those folders again.
 */

/** A free name for the file in `processed/` or `failed/`, and its companion report. */
export interface Destination {
  file: string;
  /** `<name>.rejects.csv` in processed/, `<name>.reason.txt` in failed/. */
  companion: string;
}

const COMPANIONS = { [PROCESSED_FOLDER]: '.rejects.csv', [FAILED_FOLDER]: '.reason.txt' };

/**
 * Chooses the file's name in `processed/` or `failed/` (creating the folder): its own, or, when
 * a file of that name is already there, the name with the time added.
 *
 * The companion is named after the whole file name (`a.csv.rejects.csv`), not its stem as
 * `voicehire import` does: `a.csv` and `a.tsv` then never share a report, and a report left by
 * an import that never finished (Redis lost, a crash before the move) belongs to no file, so the
 * next try may write over it.
 */
export async function chooseDestination(
  file: InboxFile,
  into: typeof PROCESSED_FOLDER | typeof FAILED_FOLDER,
  now = new Date(),
): Promise<Destination> {
  const folder = join(file.folder, into);
  const extension = extname(file.name);
  const stem = file.name.slice(0, file.name.length - extension.length);
  // No colons: Windows and SMB shares refuse them in names.
  const stamp = now.toISOString().replaceAll(':', '-');
  await mkdir(folder, { recursive: true });

  // The same name dropped several times within one millisecond gets -2, -3…
  for (let attempt = 1; ; attempt++) {
    const suffix = attempt === 1 ? '' : attempt === 2 ? `.${stamp}` : `.${stamp}-${attempt - 1}`;
    const name = `${stem}${suffix}${extension}`;
    if (!(await exists(join(folder, name)))) {
      return { file: join(folder, name), companion: join(folder, `${name}${COMPANIONS[into]}`) };
    }
  }
}

/**
 * Writes why the file was refused, then moves it beside that reason. In that order, a crash in
 * between leaves the file in the inbox, to be refused again, rather than in failed/ unexplained.
 */
export async function moveToFailed(
  file: InboxFile,
  destination: Destination,
  error: CsvInputError,
): Promise<void> {
  const reason = [
    `file: ${file.name}`,
    `campaign: ${file.campaignId}`,
    `refused at: ${new Date().toISOString()}`,
    `code: ${error.code}`,
    `message: ${error.message}`,
    '',
  ].join('\n');

  await writeFile(destination.companion, reason);
  await rename(file.path, destination.file);
}

/**
 * Moves an imported file into processed/, where its rejects report already is. A rename within
 * the folder's own file system: atomic, so the file is never in both places or in neither.
 */
export async function moveToProcessed(file: InboxFile, destination: Destination): Promise<void> {
  await rename(file.path, destination.file);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
