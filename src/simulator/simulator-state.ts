import { CampaignStore } from './campaign-store.js';
import { CreditAccount } from './credit-account.js';
import { FaultInjector } from './fault-injection.js';
import { RateWindows } from './rate-windows.js';
import type { ResolvedOptions } from './simulator-options.js';
import { Recorder } from './simulator-record.js';

/** Everything a running simulator holds; a reset builds a fresh one from the same options. */
export interface SimulatorState {
  options: ResolvedOptions;
  campaigns: CampaignStore;
  credits: CreditAccount;
  rateWindows: RateWindows;
  faults: FaultInjector;
  recorder: Recorder;
}

export function createState(options: ResolvedOptions): SimulatorState {
  return {
    options,
    campaigns: new CampaignStore(options.campaigns),
    credits: new CreditAccount(options.credits),
    rateWindows: new RateWindows(options.rateWindows),
    faults: new FaultInjector(options, options.seed),
    recorder: new Recorder(),
  };
}
