import type { ApiResponse } from './api-response.js';
import { apiError, campaignNotFound, ok, validationError } from './api-response.js';
import type { StoredCandidate } from './campaign-store.js';
import { checkCandidate, type ValidCandidate } from './candidate-rules.js';
import { parseJson } from './http-io.js';
import { readPage } from './pagination.js';
import type { RouteContext } from './route-context.js';

/** The API takes at most this many candidates a call. */
const MAX_CANDIDATES_PER_CALL = 100;

/** `POST /campaigns/{id}/candidates`: the call the whole product exists to make. */
export function addCandidates(context: RouteContext, campaignId: string): ApiResponse {
  const { state } = context;
  const parsed = parseJson(context.body);
  const items = candidatesOf(parsed?.value);
  if (items === undefined) {
    return validationError('the body must be JSON of the form {"candidates": [ … ]}');
  }
  if (items.length > MAX_CANDIDATES_PER_CALL) {
    return apiError(
      400,
      'TOO_MANY_CANDIDATES',
      `at most ${MAX_CANDIDATES_PER_CALL} candidates a call, got ${items.length}`,
      { max: MAX_CANDIDATES_PER_CALL, received: items.length },
    );
  }
  if (items.length === 0) {
    return validationError('candidates must hold at least one candidate');
  }

  const campaign = state.campaigns.get(campaignId);
  if (campaign === undefined) {
    return campaignNotFound(campaignId);
  }
  if (state.addRefusal !== undefined) {
    state.recorder.count('refusedAdds');
    return apiError(400, state.addRefusal.code, state.addRefusal.message);
  }
  // The docs give no code for this refusal; VALIDATION_ERROR keeps it among the 400s that a
  // client must not retry as they are.
  if (campaign.status !== 'active') {
    return validationError(`campaign ${campaignId} is ${campaign.status}: it takes no candidates`, {
      campaign_id: campaignId,
      status: campaign.status,
    });
  }

  // Sort every item: refused, skipped (known phone, or seen earlier in this request), or new.
  const errors: { index: number; error: string }[] = [];
  const skippedPhones: string[] = [];
  const newCandidates = new Map<string, ValidCandidate>();
  items.forEach((item, index) => {
    const check = checkCandidate(item);
    if ('error' in check) {
      errors.push({ index, error: check.error });
    } else if (state.refusedPhones.has(check.candidate.phone)) {
      errors.push({ index, error: 'the agency does not call this candidate' });
    } else if (
      campaign.candidates.has(check.candidate.phone) ||
      newCandidates.has(check.candidate.phone)
    ) {
      skippedPhones.push(check.candidate.phone);
    } else {
      newCandidates.set(check.candidate.phone, check.candidate);
    }
  });

  // The docs do not say whether a 402 adds part of a batch: we assume none is added.
  const available = state.credits.creditsAvailable;
  if (available < newCandidates.size) {
    state.recorder.count('insufficientCredits');
    state.credits.refuse(campaignId);
    return apiError(
      402,
      'INSUFFICIENT_CREDITS',
      `adding ${newCandidates.size} candidates needs ${newCandidates.size} credits, ${available} left`,
      { required: newCandidates.size, available },
    );
  }

  for (const candidate of newCandidates.values()) {
    state.campaigns.addCandidate(campaign, candidate);
    state.recorder.phoneReceived(campaignId, candidate.phone, true);
    // Only queued here: the deliveries go out later, from the sender's queue.
    state.webhooks.candidateAdded(
      campaign,
      campaign.candidates.get(candidate.phone) as StoredCandidate,
    );
  }
  for (const phone of skippedPhones) {
    state.recorder.phoneReceived(campaignId, phone, false);
  }
  state.credits.spend(newCandidates.size, campaignId);
  state.recorder.addCall({
    at: Date.now(),
    campaignId,
    sent: items.length,
    added: newCandidates.size,
    skipped: skippedPhones.length,
    refused: errors.length,
  });

  // Each added candidate is called at once, so every addition queues one call.
  return ok({
    campaign_id: campaignId,
    candidates_added: newCandidates.size,
    candidates_skipped: skippedPhones.length,
    calls_queued: newCandidates.size,
    errors,
  });
}

/** `GET /campaigns/{id}/candidates`, in the order they were added. */
export function listCandidates(context: RouteContext, campaignId: string): ApiResponse {
  const campaign = context.state.campaigns.get(campaignId);
  if (campaign === undefined) {
    return campaignNotFound(campaignId);
  }
  const page = readPage(context.query);
  if ('error' in page) {
    return page.error;
  }

  const all = [...campaign.candidates.values()];
  const candidates = all.slice(page.offset, page.offset + page.perPage).map((candidate) => ({
    candidate_id: candidate.candidateId,
    first_name: candidate.first_name,
    last_name: candidate.last_name,
    phone: candidate.phone,
    email: candidate.email,
    status: candidate.status,
    // No interview ever takes place in the simulator.
    interview_score: null,
    created_at: candidate.createdAt,
  }));

  return ok({ candidates, pagination: page.describe(all.length) });
}

function candidatesOf(body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || !('candidates' in body)) {
    return undefined;
  }
  return Array.isArray(body.candidates) ? body.candidates : undefined;
}
