import {
  type ApiResponse,
  campaignNotFound,
  ok,
  resourceNotFound,
  validationError,
} from './api-response.js';
import { CAMPAIGN_STATUSES, type CampaignStatus, isCampaignStatus } from './campaign-store.js';
import { parseJson } from './http-io.js';
import type { SimulatorState } from './simulator-state.js';

/** What the control routes may do to the running simulator. */
export interface SimulatorControl {
  state(): SimulatorState;
  /** Back to the start options: campaigns, credits, windows, record and failure sequence. */
  reset(): void;
}

/**
 * The `/_simulator/*` routes, for tests and demos driving the simulator from outside: no API key,
 * no rate limit, no injected failure. `path` is relative to /_simulator.
 */
export function routeControlRequest(
  control: SimulatorControl,
  method: string,
  path: string,
  body: Buffer,
): ApiResponse {
  const segments = path.split('/').filter((segment) => segment !== '');
  const route = `${method} ${segments.join('/')}`;

  if (route === 'GET record') {
    return ok(control.state().recorder.snapshot());
  }
  if (route === 'POST credits') {
    return topUp(control.state(), parseJson(body)?.value);
  }
  if (route === 'POST reset') {
    control.reset();
    return ok({ reset: true });
  }
  const [first, campaignId, last] = segments;
  if (method === 'POST' && segments.length === 3 && first === 'campaigns' && last === 'status') {
    return setStatus(control.state(), campaignId as string, parseJson(body)?.value);
  }
  return resourceNotFound(method, `/_simulator${path}`);
}

function topUp(state: SimulatorState, body: unknown): ApiResponse {
  const credits = fieldOf(body, 'credits');
  if (typeof credits !== 'number' || !Number.isFinite(credits) || credits <= 0) {
    return validationError('the body must be {"credits": N} with N a positive number');
  }

  state.credits.topUp(credits);
  return ok({ credits_available: state.credits.creditsAvailable });
}

function setStatus(state: SimulatorState, campaignId: string, body: unknown): ApiResponse {
  const status = fieldOf(body, 'status');
  if (!isCampaignStatus(status)) {
    return validationError(`the body must be {"status": S} with S one of ${CAMPAIGN_STATUSES}`);
  }
  if (state.campaigns.get(campaignId) === undefined) {
    return campaignNotFound(campaignId);
  }

  changeCampaignStatus(state, campaignId, status);
  return ok({ campaign_id: campaignId, status });
}

/**
 * Sets a campaign's status, and sends `campaign.status_changed` when it did change. Throws when
 * the campaign does not exist.
 */
export function changeCampaignStatus(
  state: SimulatorState,
  campaignId: string,
  status: CampaignStatus,
): void {
  const oldStatus = state.campaigns.get(campaignId)?.status;
  state.campaigns.setStatus(campaignId, status);

  const campaign = state.campaigns.get(campaignId);
  if (campaign !== undefined && oldStatus !== undefined && oldStatus !== status) {
    state.webhooks.campaignStatusChanged(campaign, oldStatus);
  }
}

function fieldOf(body: unknown, field: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[field]
    : undefined;
}
