import { formatReportLine } from '../producer/rejects-report.js';
import { checkPhone } from '../shared/phone-rules.js';
import type { CandidateMapping, InterviewResponse } from './mapping-store.js';

/** The columns of `voicehire results`, in order: the CSV's header and the JSON objects' keys. */
export const RESULT_COLUMNS = [
  'external_id',
  'first_name',
  'last_name',
  'phone',
  'email',
  'status',
  'score',
  'availability',
  'availability_start',
  'salary_expectation',
  'alignment',
  'strengths',
  'concerns',
  'failure_reason',
  'voicehire_id',
  'row',
  'updated_at',
] as const;

export type ResultColumn = (typeof RESULT_COLUMNS)[number];

/** One mapping as the export shows it; the JSON form also carries the interview's answers. */
export type ResultRecord = Record<ResultColumn, string | number | null> & {
  responses: InterviewResponse[] | null;
};

export function toResultRecord(mapping: CandidateMapping): ResultRecord {
  return {
    external_id: mapping.externalId,
    first_name: mapping.firstName,
    last_name: mapping.lastName,
    phone: apiPhone(mapping.phone),
    email: mapping.email,
    status: mapping.status,
    score: mapping.score,
    availability: mapping.availability,
    availability_start: mapping.availabilityStart,
    salary_expectation: mapping.salaryExpectation,
    alignment: mapping.alignment,
    strengths: mapping.strengths,
    concerns: mapping.concerns,
    failure_reason: mapping.failureReason,
    voicehire_id: mapping.voicehireId,
    row: mapping.row,
    updated_at: mapping.updatedAt,
    responses: mapping.responses,
  };
}

/**
 * The mappings as CSV: UTF-8 with a BOM (which Excel needs to show accents right), CRLF, cells
 * quoted where needed and made safe to open, as the rejects report's are.
 */
export function formatResultsCsv(mappings: readonly CandidateMapping[]): string {
  const lines = [formatReportLine(RESULT_COLUMNS, ',')];
  for (const mapping of mappings) {
    const record = toResultRecord(mapping);
    lines.push(
      formatReportLine(
        RESULT_COLUMNS.map((column) => cell(record[column])),
        ',',
      ),
    );
  }
  return `\uFEFF${lines.join('')}`;
}

/** The mappings as one JSON array, followed by a newline. */
export function formatResultsJson(mappings: readonly CandidateMapping[]): string {
  return `${JSON.stringify(mappings.map(toResultRecord))}\n`;
}

/** `+33612345678` as the API and the user's file write it, `0612345678`. */
function apiPhone(e164: string): string {
  const verdict = checkPhone(e164);
  return verdict.ok ? verdict.national : e164;
}

function cell(value: string | number | null): string {
  return value === null ? '' : String(value);
}
