import { type ApiResponse, ok } from './api-response.js';
import {
  campaignDetails,
  campaignStatus,
  createCampaign,
  listCampaigns,
} from './campaign-routes.js';
import { addCandidates, listCandidates } from './candidate-routes.js';
import type { RequestScope } from './rate-windows.js';
import type { RouteContext } from './route-context.js';

/** One endpoint under /api/v1. `:id` in a pattern captures a campaign id. */
interface Route {
  method: 'GET' | 'POST';
  pattern: readonly string[];
  /** The rate-limit scope besides `all`. */
  scope: RequestScope;
  handle(context: RouteContext, campaignId: string): ApiResponse;
}

export interface RouteMatch {
  route: Route;
  campaignId: string;
}

const routes: readonly Route[] = [
  { method: 'GET', pattern: ['account', 'credits'], scope: 'reads', handle: accountCredits },
  { method: 'GET', pattern: ['campaigns'], scope: 'reads', handle: listCampaigns },
  { method: 'POST', pattern: ['campaigns', 'create'], scope: 'creates', handle: createCampaign },
  {
    method: 'POST',
    pattern: ['campaigns', ':id', 'candidates'],
    scope: 'adds',
    handle: addCandidates,
  },
  {
    method: 'GET',
    pattern: ['campaigns', ':id', 'candidates'],
    scope: 'reads',
    handle: listCandidates,
  },
  {
    method: 'GET',
    pattern: ['campaigns', ':id', 'details'],
    scope: 'reads',
    handle: campaignDetails,
  },
  {
    method: 'GET',
    pattern: ['campaigns', ':id', 'status'],
    scope: 'reads',
    handle: campaignStatus,
  },
];

/** The endpoint for a path relative to /api/v1 (`/campaigns/abc123def456/candidates`), if any. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').filter((segment) => segment !== '');

  for (const route of routes) {
    if (route.method !== method || route.pattern.length !== segments.length) {
      continue;
    }
    let campaignId = '';
    const matches = route.pattern.every((part, index) => {
      const segment = segments[index] as string;
      if (part === ':id') {
        campaignId = segment;
        return true;
      }
      return part === segment;
    });
    if (matches) {
      return { route, campaignId };
    }
  }
  return undefined;
}

/** The scope of a request: its route's, and `reads` for any GET, even to no route. */
export function requestScope(method: string, match: RouteMatch | undefined): RequestScope {
  return match?.route.scope ?? (method === 'GET' ? 'reads' : undefined);
}

/** `GET /account/credits`. */
function accountCredits(context: RouteContext): ApiResponse {
  const { credits } = context.state;

  return ok({
    credits_available: credits.creditsAvailable,
    credits_used_this_month: credits.creditsUsedThisMonth,
    subscription_type: 'pro',
    reset_date: firstDayOfNextMonth(new Date()),
  });
}

function firstDayOfNextMonth(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
    .toISOString()
    .slice(0, 10);
}
