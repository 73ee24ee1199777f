import { createReadStream } from 'node:fs';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse';
import { Redis } from 'ioredis';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { measure } from './child-measure.js';

/**
 * The baseline: the producer anyone would write first, for the ratio the issue asks. csv-parse
 * with `columns: true`, a zod schema, libphonenumber `/max` on every row, a Set for duplicates,
 * and one `add` per batch of 100 to a BullMQ queue in the same Redis as the real producer.
 */

const candidate = z.object({
  'First name': z.string().trim().min(1),
  'Last name': z.string().trim().min(1),
  Phone: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const phone = parsePhoneNumberFromString(value, 'FR');
      if (phone === undefined || !phone.isValid() || phone.getType() !== 'MOBILE') {
        ctx.addIssue({ code: 'custom', message: 'not a French mobile' });
        return z.NEVER;
      }
      return phone.number;
    }),
  Email: z.string().trim().toLowerCase().pipe(z.email()),
  ID: z.string().optional(),
});

async function straightforwardImport(path: string, redisUrl: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('baseline-batches', { connection, prefix: 'bench-baseline' });
  const seen = new Set<string>();
  let batch: unknown[] = [];
  let rows = 0;
  let batchNumber = 0;

  for await (const record of createReadStream(path).pipe(parse({ columns: true }))) {
    rows += 1;
    const result = candidate.safeParse(record);
    if (!result.success || seen.has(result.data.Phone)) {
      continue;
    }
    seen.add(result.data.Phone);
    batch.push(result.data);
    if (batch.length === 100) {
      batchNumber += 1;
      await queue.add('batch', { candidates: batch }, { jobId: `baseline-${batchNumber}` });
      batch = [];
    }
  }
  if (batch.length > 0) {
    await queue.add('batch', { candidates: batch }, { jobId: `baseline-${batchNumber + 1}` });
  }

  await queue.close();
  connection.disconnect();
  return { rows, uniquePhones: seen.size };
}

await measure(() => straightforwardImport(process.argv[2] as string, process.argv[3] as string));
