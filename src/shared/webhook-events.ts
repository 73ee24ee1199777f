import { z } from 'zod';

/**
 * The webhook events VoiceHire sends (`voicehire/docs`, guides/webhooks.mdx), as far as this
 * product reads them. Unknown fields are kept out; unknown events are answered and logged, not
 * processed. Optional fields are optional because the docs' examples leave them out of some
 * events (an interview's failure carries no phone).
 */
const text = z.string().nullish();

const interviewData = z.object({
  campaign_id: z.string(),
  candidate_id: z.string(),
  phone: z.string().optional(),
  first_name: text,
  last_name: text,
  email: text,
  interview_score: z.number().nullish(),
  availability: text,
  availability_start: text,
  salary_expectation: text,
  candidate_alignment: text,
  strengths: text,
  concerns: text,
});

const response = z.object({
  question: z.string(),
  answer: text,
  score: z.number().nullish(),
  explanation: text,
});

const envelope = <E extends string, D extends z.ZodType>(event: E, data: D) =>
  z.object({ event: z.literal(event), timestamp: z.iso.datetime({ offset: true }), data });

export const webhookEventSchema = z.discriminatedUnion('event', [
  envelope(
    'campaign.created',
    z.object({ campaign_id: z.string(), status: z.string().optional() }),
  ),
  envelope(
    'campaign.status_changed',
    z.object({
      campaign_id: z.string(),
      old_status: z.string().optional(),
      new_status: z.enum(['active', 'paused', 'completed']),
    }),
  ),
  envelope(
    'candidate.added',
    z.object({
      campaign_id: z.string(),
      candidate_id: z.string(),
      phone: z.string(),
      first_name: text,
      last_name: text,
      email: text,
      call_queued: z.boolean().optional(),
    }),
  ),
  envelope(
    'candidate.sourced',
    z.object({ campaign_id: z.string(), candidate_id: z.string(), phone: z.string().optional() }),
  ),
  envelope(
    'candidate.interview.started',
    z.object({ campaign_id: z.string(), candidate_id: z.string(), phone: z.string().optional() }),
  ),
  envelope('candidate.interview.completed', interviewData),
  envelope(
    'candidate.interview.completed.extended',
    interviewData.extend({ responses: z.array(response).default([]) }),
  ),
  envelope(
    'candidate.interview.failed',
    z.object({
      campaign_id: z.string(),
      candidate_id: z.string(),
      phone: z.string().optional(),
      failure_reason: z.string(),
    }),
  ),
  envelope(
    'credits.low',
    z.object({ credits_remaining: z.number(), threshold: z.number().optional() }),
  ),
  envelope(
    'credits.depleted',
    z.object({ credits_remaining: z.number(), last_campaign_id: z.string().optional() }),
  ),
]);

export type WebhookEvent = z.infer<typeof webhookEventSchema>;
export type WebhookEventName = WebhookEvent['event'];
export type WebhookEventOf<E extends WebhookEventName> = Extract<WebhookEvent, { event: E }>;

export const WEBHOOK_EVENTS: readonly WebhookEventName[] = webhookEventSchema.options.map(
  (option) => option.shape.event.value,
);

/** The webhooks queue: deliveries the receiver accepted, processed by `voicehire worker`. */
export const WEBHOOK_QUEUE = 'webhooks';
