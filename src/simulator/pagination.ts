import { type ApiResponse, validationError } from './api-response.js';

/** The API's page size when the caller gives none, and the most it allows. */
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

export interface Page {
  page: number;
  perPage: number;
  offset: number;
  /** The pagination fields of the answer, once the total is known. */
  describe(total: number): { page: number; per_page: number; total: number; total_pages: number };
}

/**
 * Reads `page` and `per_page` from the query. A value out of range is refused rather than
 * clamped, so that a client asking for more than the API gives finds out in tests.
 */
export function readPage(query: URLSearchParams): Page | { error: ApiResponse } {
  const page = readPositiveInteger(query.get('page'), 1);
  const perPage = readPositiveInteger(query.get('per_page'), DEFAULT_PER_PAGE);
  if (page === undefined) {
    return { error: validationError('page must be a positive integer', { field: 'page' }) };
  }
  if (perPage === undefined || perPage > MAX_PER_PAGE) {
    return {
      error: validationError(`per_page must be an integer from 1 to ${MAX_PER_PAGE}`, {
        field: 'per_page',
      }),
    };
  }

  return {
    page,
    perPage,
    offset: (page - 1) * perPage,
    describe: (total) => ({
      page,
      per_page: perPage,
      total,
      total_pages: Math.ceil(total / perPage),
    }),
  };
}

function readPositiveInteger(value: string | null, fallback: number): number | undefined {
  if (value === null) {
    return fallback;
  }
  return /^[1-9]\d*$/.test(value) ? Number(value) : undefined;
}
