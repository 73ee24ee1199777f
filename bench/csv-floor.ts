import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { measure } from './child-measure.js';

/**
 * The floor: csv-parse alone on the file, as arrays through 'data' events (its fastest mode,
 * shared/field-notes.md), doing nothing with the rows. No producer can read the file faster.
 */
async function readOnly(path: string): Promise<{ rows: number }> {
  let rows = -1;
  const parser = createReadStream(path).pipe(parse({ relax_column_count: true }));
  parser.on('data', () => {
    rows += 1;
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  return { rows };
}

await measure(() => readOnly(process.argv[2] as string));
