import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

/** The path of a committed fixture under test/fixtures/csv/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/csv/${name}`, import.meta.url));
}

/**
 * A temporary folder for the test file that calls this, removed after its tests; `write` puts a
 * file in it and returns the file's path.
 */
export function tempFilesPerTestFile(prefix: string) {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  return {
    dir: () => dir,
    async write(name: string, content: string | Buffer): Promise<string> {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
  };
}
