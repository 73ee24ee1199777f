import { z } from 'zod';
import { checkPhone, type PhoneRefusal } from '../shared/phone-rules.js';
import type { RejectReason } from '../shared/reject-reasons.js';
import type { ColumnMapping } from './map-columns.js';

/** A row that passed validation, in the API's form. */
export interface ValidCandidate {
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
  externalId: string | undefined;
  /** E.164 (`+33612345678`): the key of every dedup set. */
  phoneKey: string;
}

export type RowVerdict =
  | { ok: true; candidate: ValidCandidate }
  | { ok: false; reason: RejectReason; message: string };

/**
 * Blank space and control characters. A NUL or a stray control character (Excel leaves some;
 * a file past its sampled start may hold anything) is no part of a name or an id, and a NUL
 * would fail the whole batch's insert into PostgreSQL, whose text cannot hold one.
 */
const SPACE_OR_CONTROL = /[\s\p{Cc}]+/gu;
const CONTROL = /\p{Cc}/gu;

/** Trimmed, inner runs of whitespace or control characters made one space, and not empty. */
function requiredName(label: string) {
  return z
    .string()
    .transform((value) => value.replace(SPACE_OR_CONTROL, ' ').trim())
    .pipe(z.string().min(1, `${label} is empty`));
}

const candidateSchema = z.object({
  first_name: requiredName('first name'),
  last_name: requiredName('last name'),
  phone: z
    .string()
    .trim()
    .min(1, 'phone is empty')
    .transform((value, ctx) => {
      const verdict = checkPhone(value);
      if (!verdict.ok) {
        ctx.addIssue({
          code: 'custom',
          message: verdict.message,
          params: { reason: verdict.reason },
        });
        return z.NEVER;
      }
      return verdict;
    }),
  email: z
    .string()
    .trim()
    .min(1, 'email is empty')
    .toLowerCase()
    .pipe(z.email('not a valid email address')),
  external_id: z
    .string()
    // An id keeps its inner spaces as the ATS wrote them; only control characters go.
    .transform((value) => value.replace(CONTROL, '').trim() || undefined)
    .optional(),
});

/** Checks one row of the file; on refusal, gives the first problem's code and every message. */
export function validateRow(fields: readonly string[], mapping: ColumnMapping): RowVerdict {
  const result = candidateSchema.safeParse({
    first_name: fields[mapping.first_name] ?? '',
    last_name: fields[mapping.last_name] ?? '',
    phone: fields[mapping.phone] ?? '',
    email: fields[mapping.email] ?? '',
    external_id:
      mapping.external_id === undefined ? undefined : (fields[mapping.external_id] ?? ''),
  });

  if (!result.success) {
    const issues = result.error.issues;
    return {
      ok: false,
      reason: reasonOf(issues),
      message: issues.map((issue) => issue.message).join('; '),
    };
  }

  const { first_name, last_name, phone, email, external_id } = result.data;
  return {
    ok: true,
    candidate: {
      first_name,
      last_name,
      phone: phone.national,
      email,
      externalId: external_id,
      phoneKey: phone.e164,
    },
  };
}

/** An empty field is the first thing to fix, whatever else is wrong with the row. */
function reasonOf(issues: readonly z.core.$ZodIssue[]): RejectReason {
  if (issues.some((issue) => issue.code === 'too_small')) {
    return 'MISSING_FIELD';
  }

  const [first] = issues;
  if (first?.code === 'custom') {
    return (first.params?.reason as PhoneRefusal | undefined) ?? 'INVALID_PHONE';
  }
  return first?.path[0] === 'email' ? 'INVALID_EMAIL' : 'MISSING_FIELD';
}
