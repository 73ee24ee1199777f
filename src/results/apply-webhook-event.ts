import { checkPhone } from '../shared/phone-rules.js';
import type { WebhookEvent, WebhookEventOf } from '../shared/webhook-events.js';
import type {
  CandidateStatus,
  InterviewFields,
  InterviewResponse,
  MappingStore,
  ResultOutcome,
} from './mapping-store.js';

/**
 * What applying a webhook event did:
 * - `applied`, `stale`: as the store says (ResultOutcome);
 * - `unknown`: no mapping matches the candidate yet, its `candidate.added` not processed: the
 *   caller should try the event again later;
 * - `ignored`: not an event about one of our candidates' mappings (campaign.*, credits.*,
 *   candidate.sourced), or a `candidate.added` whose phone is not one VoiceHire could call.
 */
export type WebhookOutcome = ResultOutcome | 'ignored';

/** Whether the caller should deliver the event again later. */
export function shouldRetry(outcome: WebhookOutcome): boolean {
  return outcome === 'unknown';
}

type InterviewEvent = WebhookEventOf<
  | 'candidate.interview.started'
  | 'candidate.interview.completed'
  | 'candidate.interview.completed.extended'
  | 'candidate.interview.failed'
>;

/** Records what a candidate event says in the mapping store; other events are left alone. */
export async function applyWebhookEvent(
  store: MappingStore,
  event: WebhookEvent,
): Promise<WebhookOutcome> {
  switch (event.event) {
    case 'candidate.added':
      return linkCandidate(store, event);
    case 'candidate.interview.started':
      return recordInterview(store, event, 'interview_started', {});
    case 'candidate.interview.completed':
      return recordInterview(store, event, 'interview_completed', interviewFields(event.data));
    case 'candidate.interview.completed.extended':
      return recordInterview(store, event, 'interview_completed', {
        ...interviewFields(event.data),
        responses: event.data.responses.map(toResponse),
      });
    case 'candidate.interview.failed':
      return recordInterview(store, event, 'interview_failed', {
        failureReason: event.data.failure_reason,
      });
    default:
      return 'ignored';
  }
}

async function linkCandidate(
  store: MappingStore,
  event: WebhookEventOf<'candidate.added'>,
): Promise<WebhookOutcome> {
  // The key of a mapping is the E.164 form the producer recorded; the event says `0612345678`.
  const phone = checkPhone(event.data.phone);
  if (!phone.ok) {
    return 'ignored';
  }

  await store.linkCandidate({
    campaignId: event.data.campaign_id,
    phone: phone.e164,
    voicehireId: event.data.candidate_id,
    at: event.timestamp,
  });
  return 'applied';
}

function recordInterview(
  store: MappingStore,
  event: InterviewEvent,
  status: CandidateStatus,
  fields: Partial<InterviewFields>,
): Promise<ResultOutcome> {
  // The phone is a second way to find the mapping, when the id is not linked yet.
  const phone = event.data.phone === undefined ? undefined : checkPhone(event.data.phone);

  return store.recordResult({
    campaignId: event.data.campaign_id,
    voicehireId: event.data.candidate_id,
    ...(phone?.ok ? { phone: phone.e164 } : {}),
    status,
    fields,
    at: event.timestamp,
  });
}

/**
 * The fields the completed events carry; a field the event leaves out is not overwritten. A
 * completed interview clears the reason of an earlier failed call: it did not fail in the end.
 */
function interviewFields(
  data: WebhookEventOf<'candidate.interview.completed'>['data'],
): Partial<InterviewFields> {
  const fields: Partial<InterviewFields> = {
    failureReason: null,
    score: data.interview_score,
    availability: data.availability,
    availabilityStart: data.availability_start,
    salaryExpectation: data.salary_expectation,
    alignment: data.candidate_alignment,
    strengths: data.strengths,
    concerns: data.concerns,
  };
  for (const key of Object.keys(fields) as Array<keyof InterviewFields>) {
    if (fields[key] === undefined) {
      delete fields[key];
    }
  }
  return fields;
}

function toResponse(
  response: WebhookEventOf<'candidate.interview.completed.extended'>['data']['responses'][number],
): InterviewResponse {
  return {
    question: response.question,
    answer: response.answer ?? null,
    score: response.score ?? null,
    explanation: response.explanation ?? null,
  };
}
