/** The answers the simulator builds, before the HTTP layer writes them. */

/** The error codes the simulator answers with; all but the last two come from the API docs. */
export type ApiErrorCode =
  | 'VALIDATION_ERROR'
  | 'TOO_MANY_CANDIDATES'
  | 'MISSING_API_KEY'
  | 'INVALID_API_KEY'
  | 'INVALID_API_KEY_FORMAT'
  | 'INSUFFICIENT_CREDITS'
  | 'AGENCY_INACTIVE'
  | 'CAMPAIGN_NOT_FOUND'
  | 'RESOURCE_NOT_FOUND'
  | 'RATE_LIMIT_EXCEEDED'
  | 'DUPLICATE_CANDIDATE'
  // The docs name no code for these statuses; ours say what happened.
  | 'PAYLOAD_TOO_LARGE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function ok(body: unknown, status = 200): ApiResponse {
  return { status, body };
}

/** Every error has the body `{"error": {"code", "message", "details"}}`. */
export function apiError(
  status: number,
  code: ApiErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ApiResponse {
  return { status, body: { error: { code, message, details } } };
}

export function resourceNotFound(method: string, path: string): ApiResponse {
  return apiError(404, 'RESOURCE_NOT_FOUND', `no resource at ${method} ${path}`);
}

export function campaignNotFound(campaignId: string): ApiResponse {
  return apiError(404, 'CAMPAIGN_NOT_FOUND', `campaign ${campaignId} does not exist`, {
    campaign_id: campaignId,
  });
}

/** The API says "validation error" for bodies it cannot read as well as for bad fields. */
export function validationError(message: string, details?: Record<string, unknown>): ApiResponse {
  return apiError(400, 'VALIDATION_ERROR', message, details);
}
