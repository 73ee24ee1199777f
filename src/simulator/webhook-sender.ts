import { type ClientRequest, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { mulberry32 } from '../shared/seeded-random.js';
import type { WebhookEventName } from '../shared/webhook-events.js';
import { signWebhook } from '../shared/webhook-signature.js';
import type { DeliveryCounts } from './simulator-record.js';
import { TimerSet } from './timer-set.js';

export interface WebhookSenderOptions {
  /** The receiver, `http://` or `https://`. */
  url: string;
  /** Signs each body into X-VoiceHire-Signature; unsigned without it. */
  secret: string | undefined;
  /** Time a receiver has to answer one try. */
  timeoutMs: number;
  /** Retries wait base, 2 × base, 4 × base. */
  retryBaseMs: number;
  /** Send some deliveries twice and shuffle deliveries within small windows. */
  chaos: boolean;
  /** Seed of the chaos: the same seed and the same events give the same duplicates and order. */
  seed: number;
}

/** Where the sender counts what it did; the simulator's Recorder is one. */
export interface DeliveryCounter {
  countDelivery(event: WebhookEventName, count: keyof DeliveryCounts): void;
}

/** One body to deliver, signed once: a repeat sends the very same bytes and signature. */
interface Delivery {
  event: WebhookEventName;
  /** Deliveries of one key go one at a time, in order (unless chaos is on). */
  key: string;
  body: Buffer;
  headers: Record<string, string>;
}

/** The docs: "VoiceHire retentera 3 fois avec un délai exponentiel" (guides/webhooks.mdx). */
const RETRIES = 3;
/** Deliveries in flight at once, across keys. */
const MAX_IN_FLIGHT = 8;
/** Under chaos: share of deliveries sent twice. */
const CHAOS_DUPLICATE_RATE = 0.1;
/** Under chaos: deliveries are held in windows of this many, then sent in a shuffled order. */
const CHAOS_WINDOW = 4;
/** Under chaos: a window that is not full is sent after this long. */
const CHAOS_HOLD_MS = 20;

/**
 * Delivers webhook events from a queue, away from the API's answers: at most MAX_IN_FLIGHT
 * POSTs at once, the events of one candidate (one key) in order, each retried 3 times on a
 * non-2xx answer or a network error. `close()` drops what is pending and aborts what is in flight.
 */
export class WebhookSender {
  private readonly timers = new TimerSet();
  private readonly random: () => number;
  private readonly agent: HttpAgent;
  private readonly post: typeof httpRequest;
  /** By key, the deliveries not started yet. */
  private readonly waiting = new Map<string, Delivery[]>();
  /** Keys with a delivery waiting and none in flight, in the order they became ready. */
  private readyKeys: string[] = [];
  private readyHead = 0;
  private readonly busyKeys = new Set<string>();
  private readonly inFlight = new Set<ClientRequest>();
  /** Chaos: deliveries held until their window is full or its time is up. */
  private held: Delivery[] = [];
  private cancelHold: () => void = () => {};
  private deliveries = 0;
  private closed = false;

  constructor(
    private readonly options: WebhookSenderOptions,
    private readonly counter: DeliveryCounter,
  ) {
    this.random = mulberry32(options.seed);
    const https = new URL(options.url).protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: MAX_IN_FLIGHT };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.post = https ? httpsRequest : httpRequest;
  }

  /** Queues one event; `key` names what its order matters to (a candidate, a campaign). */
  send(event: WebhookEventName, timestamp: number, data: object, key: string): void {
    if (this.closed) {
      return;
    }

    const body = Buffer.from(
      JSON.stringify({ event, timestamp: new Date(timestamp).toISOString(), data }),
    );
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'User-Agent': 'VoiceHire-Simulator',
      'X-VoiceHire-Event': event,
    };
    if (this.options.secret !== undefined) {
      headers['X-VoiceHire-Signature'] = signWebhook(this.options.secret, body);
    }
    const delivery = { event, key, body, headers };

    if (!this.options.chaos) {
      this.enqueue(delivery);
      return;
    }
    // Under chaos every copy is a key of its own, so that nothing keeps them in order.
    this.hold({ ...delivery, key: this.uniqueKey() });
    if (this.random() < CHAOS_DUPLICATE_RATE) {
      this.counter.countDelivery(event, 'duplicates');
      this.hold({ ...delivery, key: this.uniqueKey() });
    }
  }

  /** Drops every pending delivery and aborts those in flight; nothing is counted for them. */
  close(): void {
    this.closed = true;
    this.timers.clear();
    this.waiting.clear();
    this.held = [];
    for (const request of this.inFlight) {
      request.destroy();
    }
    this.agent.destroy();
  }

  private uniqueKey(): string {
    this.deliveries += 1;
    return `delivery-${this.deliveries}`;
  }

  private hold(delivery: Delivery): void {
    this.held.push(delivery);
    if (this.held.length >= CHAOS_WINDOW) {
      this.releaseHeld();
    } else if (this.held.length === 1) {
      this.cancelHold = this.timers.after(CHAOS_HOLD_MS, () => this.releaseHeld());
    }
  }

  /** Sends the held window in a shuffled order (Fisher–Yates, from the seeded generator). */
  private releaseHeld(): void {
    this.cancelHold();
    const window = this.held;
    this.held = [];

    for (let index = window.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.random() * (index + 1));
      [window[index], window[other]] = [window[other] as Delivery, window[index] as Delivery];
    }
    for (const delivery of window) {
      this.enqueue(delivery);
    }
  }

  private enqueue(delivery: Delivery): void {
    const line = this.waiting.get(delivery.key);
    if (line !== undefined) {
      // The key is ready or busy already: its turn will come.
      line.push(delivery);
      return;
    }

    this.waiting.set(delivery.key, [delivery]);
    if (!this.busyKeys.has(delivery.key)) {
      this.readyKeys.push(delivery.key);
    }
    this.pump();
  }

  /** Starts deliveries while there is room in flight and a key is ready. */
  private pump(): void {
    while (!this.closed && this.inFlight.size < MAX_IN_FLIGHT && this.hasReadyKey()) {
      const key = this.readyKeys[this.readyHead] as string;
      this.readyHead += 1;
      const line = this.waiting.get(key) as Delivery[];
      const delivery = line.shift() as Delivery;
      if (line.length === 0) {
        this.waiting.delete(key);
      }

      this.busyKeys.add(key);
      void this.deliver(delivery).finally(() => {
        this.busyKeys.delete(key);
        if (this.waiting.has(key)) {
          this.readyKeys.push(key);
        }
        this.pump();
      });
    }

    // Drop the keys already served once they are most of the array: shift() on a long array
    // copies all of it each time.
    if (this.readyHead > 1024 && this.readyHead * 2 > this.readyKeys.length) {
      this.readyKeys = this.readyKeys.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private hasReadyKey(): boolean {
    return this.readyHead < this.readyKeys.length;
  }

  /** One delivery: a first try and up to RETRIES more, with exponential delays between them. */
  private async deliver(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    this.counter.countDelivery(event, 'sent');

    for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
      // Closed while waiting: the delivery is dropped, neither succeeded nor failed.
      if (
        attempt > 0 &&
        !(await this.timers.sleep(this.options.retryBaseMs * 2 ** (attempt - 1)))
      ) {
        return;
      }
      if (this.closed) {
        return;
      }

      this.counter.countDelivery(event, 'attempts');
      const accepted = await this.tryOnce(delivery);
      if (this.closed) {
        return;
      }
      if (accepted) {
        this.counter.countDelivery(event, 'succeeded');
        return;
      }
    }

    this.counter.countDelivery(event, 'failed');
  }

  /** One POST: true on a 2xx answer within the timeout, false on anything else. */
  private tryOnce(delivery: Delivery): Promise<boolean> {
    return new Promise((resolve) => {
      const request = this.post(this.options.url, {
        method: 'POST',
        headers: delivery.headers,
        agent: this.agent,
      });
      this.inFlight.add(request);
      const cancelTimeout = this.timers.after(this.options.timeoutMs, () => {
        request.destroy(new Error('the receiver did not answer in time'));
      });
      // The first of answer, error and close decides; later calls change nothing.
      const settle = (accepted: boolean) => {
        cancelTimeout();
        this.inFlight.delete(request);
        resolve(accepted);
      };

      request.on('response', (response) => {
        // Read and drop the answer, so that the socket goes back to the agent.
        response.resume();
        const status = response.statusCode ?? 0;
        settle(status >= 200 && status < 300);
      });
      request.on('error', () => settle(false));
      request.on('close', () => settle(false));
      request.end(delivery.body);
    });
  }
}
