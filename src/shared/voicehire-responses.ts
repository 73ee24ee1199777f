import { z } from 'zod';
import { ErrorCode, VoiceHireError } from './api-errors.js';

/**
 * What the VoiceHire API answers, read strictly enough that a malformed success becomes a clear
 * error instead of a result with undefined fields: the success bodies' schemas and the
 * rate-limit headers. The shapes: /work/shared/voicehire-api.md, "Endpoints we call".
 */

export const addCandidatesResultSchema = z.object({
  campaign_id: z.string(),
  candidates_added: z.number().int().nonnegative(),
  candidates_skipped: z.number().int().nonnegative(),
  calls_queued: z.number().int().nonnegative(),
  // Absent is read as "none refused"; a present one must have the documented shape.
  errors: z
    .array(z.object({ index: z.number().int().nonnegative(), error: z.string() }))
    .default([]),
});

export const creditsSchema = z.object({
  // May be fractional, per the docs.
  credits_available: z.number(),
  credits_used_this_month: z.number(),
  subscription_type: z.string(),
  reset_date: z.string(),
});

// The docs list "campaign fields, questions, settings" without a schema: keep whatever comes.
export const campaignDetailsSchema = z.looseObject({});

export const campaignStatusSchema = z.object({
  campaign_id: z.string(),
  status: z.enum(['active', 'paused', 'completed']),
  stats: z.record(z.string(), z.unknown()),
});

export type AddCandidatesResult = z.infer<typeof addCandidatesResultSchema>;
export type Credits = z.infer<typeof creditsSchema>;
export type CampaignDetails = z.infer<typeof campaignDetailsSchema>;
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

/** What `X-RateLimit-*` said on the last answer. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** When the window resets (the header is Unix seconds). */
  resetAt: Date;
}

/** All three headers, as numbers; undefined if any is missing or not a number. */
export function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  const limit = readNumberHeader(headers, 'x-ratelimit-limit');
  const remaining = readNumberHeader(headers, 'x-ratelimit-remaining');
  const reset = readNumberHeader(headers, 'x-ratelimit-reset');
  if (limit === undefined || remaining === undefined || reset === undefined) {
    return undefined;
  }

  return { limit, remaining, resetAt: new Date(reset * 1000) };
}

function readNumberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  if (!value) {
    return undefined;
  }
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; text: string };

/** A 2xx answer, not yet checked against its schema. */
export interface SuccessAnswer {
  call: string;
  status: number;
  parsed: ParsedBody;
}

/** The body as JSON, or its text when it is empty or not JSON. */
export function parseJson(text: string): ParsedBody {
  if (text === '') {
    return { ok: false, text };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, text };
  }
}

/** A 2xx whose body lacks the documented shape is an error, not a result with undefined fields. */
export function parseSuccess<T>(answer: SuccessAnswer, schema: z.ZodType<T>): T {
  const { call, status, parsed } = answer;
  if (!parsed.ok) {
    throw new VoiceHireError(`${call} answered ${status} with a body that is not JSON`, {
      code: ErrorCode.UNEXPECTED_RESPONSE,
      status,
      details: { body: parsed.text.slice(0, 200) },
    });
  }

  const result = schema.safeParse(parsed.value);
  if (result.success) {
    return result.data;
  }

  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  throw new VoiceHireError(
    `${call} answered ${status} with an unexpected body: ${problems.join('; ')}`,
    {
      code: ErrorCode.UNEXPECTED_RESPONSE,
      status,
      details: { problems },
    },
  );
}
