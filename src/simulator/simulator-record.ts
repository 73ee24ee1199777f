import type { WebhookEventName } from '../shared/webhook-events.js';
import type { FailureReason } from './interview-script.js';

/**
 * What the simulator received, kept so that tests and benchmarks can prove that nothing was lost
 * and nothing was added twice.
 */

/** One add call the API handled (answered 200, or lost its answer after being handled). */
export interface AddCallRecord {
  /** Epoch milliseconds. */
  at: number;
  campaignId: string;
  sent: number;
  added: number;
  skipped: number;
  refused: number;
}

/** How often one phone reached a campaign in a handled add call. */
export interface PhoneRecord {
  /** Times it was added: anything but 1 would be a duplicate in the campaign. */
  added: number;
  /** Times it was sent and accepted as a candidate, including the times it was skipped. */
  received: number;
}

export interface RecordTotals {
  /** Every request under /api/v1. */
  requests: number;
  /** Answered 401. */
  unauthorized: number;
  /** Answered 402 INSUFFICIENT_CREDITS. */
  insufficientCredits: number;
  /** Answered 429 RATE_LIMIT_EXCEEDED. */
  rateLimited: number;
  /** Answered 503 by failure injection. */
  unavailable: number;
  /** Add calls answered 400 by a test's `refuseAdds`. */
  refusedAdds: number;
  /** Connections reset before the request was handled. */
  resets: number;
  /** Requests left without an answer until their socket closed. */
  timeouts: number;
  /** Requests handled in full whose answer was lost to a connection reset. */
  lostAnswers: number;
  /** Add calls answered 409 for the whole request by a test's `failNextAdds`. */
  conflicts: number;
}

/** What became of the deliveries of one webhook event. */
export interface DeliveryCounts {
  /** Deliveries whose first try went out; a chaos duplicate counts as a delivery of its own. */
  sent: number;
  /** POSTs, retries included. */
  attempts: number;
  /** Deliveries answered 2xx, on any try. */
  succeeded: number;
  /** Deliveries that failed every try (1 + 3 retries): failed for good. */
  failed: number;
  /** Extra copies queued by chaos. */
  duplicates: number;
}

/** The truth about one candidate's interview, to compare with what a receiver stored. */
export type InterviewRecord = {
  campaignId: string;
  candidateId: string;
  /** National form, `0612345678`. */
  phone: string;
} & (
  | { outcome: 'pending' }
  | { outcome: 'completed'; interviewScore: number }
  | { outcome: 'failed'; failureReason: FailureReason }
);

/** What the webhook side did; empty while no webhook URL is set. */
export interface WebhookRecord {
  /** By event name; an event never queued has no entry. */
  events: Partial<Record<WebhookEventName, DeliveryCounts>>;
  /**
   * Every candidate added, in the order added: `pending` until its outcome event is queued,
   * then `completed` or `failed`.
   */
  candidates: InterviewRecord[];
}

export interface SimulatorRecord {
  adds: AddCallRecord[];
  /** By campaign id, then by national phone (`0612345678`). */
  phones: Record<string, Record<string, PhoneRecord>>;
  totals: RecordTotals;
  webhooks: WebhookRecord;
}

/** Collects the record as requests are handled; `snapshot()` gives a copy safe to keep. */
export class Recorder {
  private readonly adds: AddCallRecord[] = [];
  private readonly phones = new Map<string, Map<string, PhoneRecord>>();
  private readonly totals: RecordTotals = {
    requests: 0,
    unauthorized: 0,
    insufficientCredits: 0,
    rateLimited: 0,
    unavailable: 0,
    refusedAdds: 0,
    resets: 0,
    timeouts: 0,
    lostAnswers: 0,
    conflicts: 0,
  };

  private readonly deliveries = new Map<WebhookEventName, DeliveryCounts>();
  /** By candidate id, in the order added. */
  private readonly interviews = new Map<string, InterviewRecord>();

  count(total: keyof RecordTotals): void {
    this.totals[total] += 1;
  }

  addCall(call: AddCallRecord): void {
    this.adds.push(call);
  }

  /** A valid candidate reached the campaign; `added` is false when it was skipped. */
  phoneReceived(campaignId: string, phone: string, added: boolean): void {
    let campaign = this.phones.get(campaignId);
    if (campaign === undefined) {
      campaign = new Map();
      this.phones.set(campaignId, campaign);
    }

    const record = campaign.get(phone) ?? { added: 0, received: 0 };
    record.received += 1;
    if (added) {
      record.added += 1;
    }
    campaign.set(phone, record);
  }

  /** One more delivery, try, success, failure or duplicate of `event`. */
  countDelivery(event: WebhookEventName, count: keyof DeliveryCounts): void {
    let counts = this.deliveries.get(event);
    if (counts === undefined) {
      counts = { sent: 0, attempts: 0, succeeded: 0, failed: 0, duplicates: 0 };
      this.deliveries.set(event, counts);
    }
    counts[count] += 1;
  }

  /** A candidate's interview: first `pending`, then again with its outcome. */
  interview(record: InterviewRecord): void {
    this.interviews.set(record.candidateId, record);
  }

  snapshot(): SimulatorRecord {
    const phones: SimulatorRecord['phones'] = {};
    for (const [campaignId, campaign] of this.phones) {
      phones[campaignId] = Object.fromEntries(
        [...campaign].map(([phone, record]) => [phone, { ...record }]),
      );
    }

    return {
      adds: this.adds.map((call) => ({ ...call })),
      phones,
      totals: { ...this.totals },
      webhooks: {
        events: Object.fromEntries(
          [...this.deliveries].map(([event, counts]) => [event, { ...counts }]),
        ),
        candidates: [...this.interviews.values()].map((record) => ({ ...record })),
      },
    };
  }
}
