import { LRUCache } from 'lru-cache';
import type { VoiceHireClient } from './voicehire-client.js';
import type { CampaignDetails, CampaignStatus } from './voicehire-responses.js';

/** Takes a read permit from the shared rate limiter; false when the windows are full. */
export type ReadPermit = () => Promise<boolean>;

export class RateLimitedReadError extends Error {
  override name = 'RateLimitedReadError';
  readonly code = 'READ_RATE_LIMITED';
}

/**
 * Campaign details and status through a TTL cache: the API's guide suggests 5 minutes, and every
 * read spends a call of the windows that candidate additions also use. Entries are dropped when
 * a campaign.* webhook says the campaign changed.
 */
export class CampaignCache {
  readonly #status: LRUCache<string, CampaignStatus>;
  readonly #details: LRUCache<string, CampaignDetails>;

  constructor(client: VoiceHireClient, permit: ReadPermit, ttlMs: number) {
    const guarded =
      <T>(read: (campaignId: string) => Promise<T>) =>
      async (campaignId: string): Promise<T> => {
        if (!(await permit())) {
          throw new RateLimitedReadError(`no read permit for campaign ${campaignId} now`);
        }
        return read(campaignId);
      };
    // A TTL of 0 means "no cache": lru-cache wants a positive one, so keep entries 1 ms.
    const ttl = Math.max(ttlMs, 1);

    this.#status = new LRUCache<string, CampaignStatus>({
      max: 1_000,
      ttl,
      fetchMethod: guarded((id) => client.getCampaignStatus(id)),
    });
    this.#details = new LRUCache<string, CampaignDetails>({
      max: 1_000,
      ttl,
      fetchMethod: guarded((id) => client.getCampaignDetails(id)),
    });
  }

  /** Whether the campaign takes candidates, read from the API at most once per TTL. */
  async status(campaignId: string, options: { fresh?: boolean } = {}): Promise<CampaignStatus> {
    const status = await this.#status.fetch(campaignId, { forceRefresh: options.fresh ?? false });
    return status as CampaignStatus;
  }

  async details(campaignId: string): Promise<CampaignDetails> {
    return (await this.#details.fetch(campaignId)) as CampaignDetails;
  }

  invalidate(campaignId: string): void {
    this.#status.delete(campaignId);
    this.#details.delete(campaignId);
  }
}
