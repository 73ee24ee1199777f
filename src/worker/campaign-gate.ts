import type { Redis } from 'ioredis';
import type { CampaignCache } from '../shared/campaign-cache.js';
import { type CampaignState, readCampaignState } from '../shared/campaign-state.js';
import type { RedisKeys } from '../shared/redis-keys.js';

export type GateVerdict =
  | { open: true }
  | { open: false; status: Exclude<CampaignState, 'active'> };

/**
 * Whether a campaign takes candidates now. A paused or completed campaign refuses every batch,
 * so its batches wait instead of failing against the API; other campaigns go on.
 */
export interface CampaignGate {
  check(campaignId: string, options?: { fresh?: boolean }): Promise<GateVerdict>;
}

export function createCampaignGate(deps: {
  redis: Redis;
  keys: RedisKeys;
  cache: CampaignCache;
}): CampaignGate {
  const { redis, keys, cache } = deps;

  return {
    async check(campaignId, options = {}) {
      // What a webhook said lately wins: it is newer than anything the cache holds.
      let status: string | undefined = await readCampaignState(redis, keys, campaignId);

      if (status === undefined) {
        try {
          status = (await cache.status(campaignId, options)).status;
        } catch {
          // No permit, or the read failed: let the call itself find out, as it would without us.
          status = undefined;
        }
      }

      if (status === 'paused' || status === 'completed') {
        return { open: false, status };
      }
      return { open: true };
    },
  };
}
