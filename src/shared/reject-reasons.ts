/**
 * Why a row did not become a candidate in the campaign. The codes are stable: users filter
 * rejects reports by them, so a code is never renamed or reused.
 */
export const REJECT_REASONS = {
  MISSING_FIELD: 'a required field is empty',
  INVALID_PHONE: 'the phone is not a valid number',
  NOT_A_MOBILE: 'the phone is not a French mobile (06/07)',
  INVALID_EMAIL: 'the email address is not valid',
  DUPLICATE_IN_FILE: 'the same phone appears earlier in the file',
  ALREADY_SENT: 'an earlier import already sent this phone to the campaign',
  API_REFUSED: 'the VoiceHire API refused this candidate',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

/** One refused row, as the rejects report and the import record keep it. */
export interface Reject {
  /** 1-based data row in the source file. */
  row: number;
  reason: RejectReason;
  /** What to fix, in a recruiter's words. */
  message: string;
}
