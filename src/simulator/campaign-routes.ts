import { type ApiResponse, campaignNotFound, ok, validationError } from './api-response.js';
import type { Campaign } from './campaign-store.js';
import { parseJson } from './http-io.js';
import { readPage } from './pagination.js';
import type { RouteContext } from './route-context.js';

const REQUIRED_FIELDS = ['job_title', 'contract_type', 'job_description'] as const;

/** `GET /campaigns`, in creation order. */
export function listCampaigns(context: RouteContext): ApiResponse {
  const page = readPage(context.query);
  if ('error' in page) {
    return page.error;
  }

  const all = context.state.campaigns.list();
  const campaigns = all.slice(page.offset, page.offset + page.perPage).map((campaign) => ({
    campaign_id: campaign.id,
    job_title: campaign.jobTitle,
    contract_type: campaign.contractType,
    status: campaign.status,
    candidates_total: campaign.candidates.size,
    created_at: campaign.createdAt,
  }));

  return ok({ campaigns, ...page.describe(all.length) });
}

/** `POST /campaigns/create`: 201 with the new campaign, active at once. */
export function createCampaign(context: RouteContext): ApiResponse {
  const body = parseJson(context.body)?.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return validationError('the body must be a JSON object');
  }

  const fields = body as Record<string, unknown>;
  const missing = REQUIRED_FIELDS.filter((field) => !isFilledString(fields[field]));
  if (missing.length > 0) {
    return validationError(`${missing.join(', ')} must be non-empty strings`, { fields: missing });
  }

  const campaign = context.state.campaigns.create({
    jobTitle: fields.job_title as string,
    contractType: fields.contract_type as string,
    jobDescription: fields.job_description as string,
  });
  return ok(
    {
      campaign_id: campaign.id,
      candidate_link: candidateLink(context, campaign),
      status: campaign.status,
      questions_generated: campaign.questions.length,
    },
    201,
  );
}

/** `GET /campaigns/{id}/details`. */
export function campaignDetails(context: RouteContext, campaignId: string): ApiResponse {
  const campaign = context.state.campaigns.get(campaignId);
  if (campaign === undefined) {
    return campaignNotFound(campaignId);
  }

  return ok({
    campaign_id: campaign.id,
    job_title: campaign.jobTitle,
    contract_type: campaign.contractType,
    job_description: campaign.jobDescription,
    status: campaign.status,
    candidate_link: candidateLink(context, campaign),
    created_at: campaign.createdAt,
    questions: campaign.questions,
    // A placeholder: the simulator has no settings to speak of.
    settings: { language: 'fr' },
  });
}

/** `GET /campaigns/{id}/status`. No interview happens here, so only the totals move. */
export function campaignStatus(context: RouteContext, campaignId: string): ApiResponse {
  const campaign = context.state.campaigns.get(campaignId);
  if (campaign === undefined) {
    return campaignNotFound(campaignId);
  }

  return ok({
    campaign_id: campaign.id,
    status: campaign.status,
    stats: {
      candidates_total: campaign.candidates.size,
      calls_queued: campaign.candidates.size,
      interviews_completed: 0,
      interviews_failed: 0,
    },
  });
}

function candidateLink(context: RouteContext, campaign: Campaign): string {
  return `${context.origin}/apply/${campaign.id}`;
}

function isFilledString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
