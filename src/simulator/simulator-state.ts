import type { ApiErrorCode } from './api-response.js';
import { CampaignStore } from './campaign-store.js';
import { CreditAccount } from './credit-account.js';
import { FaultInjector, type ScriptedFault } from './fault-injection.js';
import { RateWindows } from './rate-windows.js';
import type { ResolvedOptions } from './simulator-options.js';
import { Recorder } from './simulator-record.js';
import { WebhookEmitter } from './webhook-emitter.js';

/** Everything a running simulator holds; a reset builds a fresh one from the same options. */
export interface SimulatorState {
  options: ResolvedOptions;
  campaigns: CampaignStore;
  credits: CreditAccount;
  rateWindows: RateWindows;
  faults: FaultInjector;
  recorder: Recorder;
  /** Sends the webhook events; close it before dropping the state, or its timers live on. */
  webhooks: WebhookEmitter;
  /** Set by a test: every add call is refused with this 400 until it is cleared. */
  addRefusal: AddRefusal | undefined;
  /** Set by a test: phones (national form) refused one by one in every add call. */
  refusedPhones: Set<string>;
  /** Set by a test: the failures the next add calls meet, in order, before the drawn ones. */
  nextAddFaults: ScriptedFault[];
}

/** A refusal of the whole request, as the API gives for data it will never take. */
export interface AddRefusal {
  code: ApiErrorCode;
  message: string;
}

export function createState(options: ResolvedOptions): SimulatorState {
  const recorder = new Recorder();
  const webhooks = new WebhookEmitter(options, recorder);
  const credits = new CreditAccount(options.credits, {
    lowThreshold: options.creditsLowThreshold,
    onCrossing: (crossing, remaining, campaignId) =>
      crossing === 'low'
        ? webhooks.creditsLow(remaining)
        : webhooks.creditsDepleted(remaining, campaignId),
  });

  return {
    options,
    campaigns: new CampaignStore(options.campaigns),
    credits,
    rateWindows: new RateWindows(options.rateWindows),
    faults: new FaultInjector(options, options.seed),
    recorder,
    webhooks,
    addRefusal: undefined,
    refusedPhones: new Set(),
    nextAddFaults: [],
  };
}
