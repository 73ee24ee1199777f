import type { Campaign, CampaignStatus, StoredCandidate } from './campaign-store.js';
import { scriptInterview } from './interview-script.js';
import type { ResolvedOptions } from './simulator-options.js';
import type { Recorder } from './simulator-record.js';
import { TimerSet } from './timer-set.js';
import { WebhookSender } from './webhook-sender.js';

/**
 * Turns what happens in the simulator into the webhook events the API sends, with the payloads
 * of the docs (`voicehire/docs`, guides/webhooks.mdx), and plays each added candidate's
 * interview: `candidate.interview.started` after `webhookDelayMs`, then, as long again later,
 * `completed` and `completed.extended` or `failed`. Without a webhook URL it does nothing.
 */
export class WebhookEmitter {
  private readonly sender: WebhookSender | undefined;
  private readonly timers = new TimerSet();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly recorder: Recorder,
  ) {
    if (options.webhookUrl !== undefined) {
      this.sender = new WebhookSender(
        {
          url: options.webhookUrl,
          secret: options.webhookSecret,
          timeoutMs: options.webhookTimeoutMs,
          retryBaseMs: options.webhookRetryBaseMs,
          chaos: options.webhookChaos,
          seed: options.seed,
        },
        recorder,
      );
    }
  }

  /** `candidate.added` now, and the interview that follows. */
  candidateAdded(campaign: Campaign, candidate: StoredCandidate): void {
    const { sender } = this;
    if (sender === undefined) {
      return;
    }

    const addedAt = Date.now();
    const { candidateId, first_name, last_name, email, phone } = candidate;
    sender.send(
      'candidate.added',
      addedAt,
      {
        campaign_id: campaign.id,
        candidate_id: candidateId,
        first_name,
        last_name,
        email,
        phone,
        call_queued: true,
      },
      candidateId,
    );
    this.recorder.interview({ campaignId: campaign.id, candidateId, phone, outcome: 'pending' });

    this.timers.after(this.options.webhookDelayMs, () => {
      const startedAt = later(addedAt);
      sender.send(
        'candidate.interview.started',
        startedAt,
        { campaign_id: campaign.id, candidate_id: candidateId, first_name, last_name },
        candidateId,
      );
      this.timers.after(this.options.webhookDelayMs, () =>
        this.endInterview(sender, campaign, candidate, later(startedAt)),
      );
    });
  }

  /** `campaign.status_changed`, for a status that did change. */
  campaignStatusChanged(campaign: Campaign, oldStatus: CampaignStatus): void {
    const data = {
      campaign_id: campaign.id,
      job_title: campaign.jobTitle,
      old_status: oldStatus,
      new_status: campaign.status,
    };
    this.sender?.send('campaign.status_changed', Date.now(), data, `campaign:${campaign.id}`);
  }

  /** `credits.low`: the balance fell below the threshold. */
  creditsLow(remaining: number): void {
    const data = { credits_remaining: remaining, threshold: this.options.creditsLowThreshold };
    this.sender?.send('credits.low', Date.now(), data, 'credits');
  }

  /** `credits.depleted`: the balance reached 0, or an add was refused for lack of credits. */
  creditsDepleted(remaining: number, lastCampaignId: string): void {
    const data = { credits_remaining: remaining, last_campaign_id: lastCampaignId };
    this.sender?.send('credits.depleted', Date.now(), data, 'credits');
  }

  /** Drops the interviews still to come and every pending delivery. */
  close(): void {
    this.timers.clear();
    this.sender?.close();
  }

  private endInterview(
    sender: WebhookSender,
    campaign: Campaign,
    candidate: StoredCandidate,
    endedAt: number,
  ): void {
    const { candidateId, first_name, last_name, email, phone } = candidate;
    const script = scriptInterview(this.options.seed, phone, campaign.questions, new Date(endedAt));
    const who = { campaign_id: campaign.id, candidate_id: candidateId, first_name, last_name };
    const record = { campaignId: campaign.id, candidateId, phone };

    if (script.outcome === 'failed') {
      const data = { ...who, failure_reason: script.failureReason };
      sender.send('candidate.interview.failed', endedAt, data, candidateId);
      this.recorder.interview({
        ...record,
        outcome: 'failed',
        failureReason: script.failureReason,
      });
      return;
    }

    const completed = {
      ...who,
      email,
      phone,
      interview_score: script.interviewScore,
      availability: script.availability,
      availability_start: script.availabilityStart,
      salary_expectation: script.salaryExpectation,
      candidate_alignment: script.candidateAlignment,
      strengths: script.strengths,
      concerns: script.concerns,
    };
    // The extended event repeats the completed one, with the same timestamp, plus the answers.
    sender.send('candidate.interview.completed', endedAt, completed, candidateId);
    sender.send(
      'candidate.interview.completed.extended',
      endedAt,
      { ...completed, responses: script.responses },
      candidateId,
    );
    this.recorder.interview({
      ...record,
      outcome: 'completed',
      interviewScore: script.interviewScore,
    });
  }
}

/** Now, but strictly after `previous`: a candidate's timestamps only go up. */
function later(previous: number): number {
  return Math.max(Date.now(), previous + 1);
}
