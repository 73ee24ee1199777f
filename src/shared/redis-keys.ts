/**
 * Every Redis key of the product beside BullMQ's own. All share the configured prefix, a Redis
 * Cluster hash tag such as `{voicehire}`, so that they live in the queue's slot.
 */
export function redisKeys(prefix: string) {
  return {
    /** Hash: one import's record (see import-record.ts). */
    importRecord: (importId: string) => `${prefix}:import:${importId}`,
    /** Hash: batch number -> the batch's settled outcome, so counters move once per batch. */
    importSettled: (importId: string) => `${prefix}:import:${importId}:settled`,
    /**
     * Hash: batch number -> 1 while a call that may have reached the API has no known answer
     * (a timeout, a reset, a crash), so that the batch's next attempt knows its skips may be
     * its own earlier additions.
     */
    importInFlight: (importId: string) => `${prefix}:import:${importId}:in-flight`,
    /** List of JSON items: candidates the API refused, with their source row. */
    importApiRejects: (importId: string) => `${prefix}:import:${importId}:api-rejects`,
    /** Sorted set: import ids by creation time, for `voicehire status`. */
    imports: `${prefix}:imports`,
    /**
     * Hash: phone key (its keyed hash under DATA_ENCRYPTION_KEY) -> id of the import that sent
     * it, per campaign.
     */
    sentPhones: (campaignId: string) => `${prefix}:sent:${campaignId}`,
    /** Hash: why the batch queue is halted; absent while it runs. */
    halt: `${prefix}:halt`,
    /** Rate-limiter keys. */
    rateLimit: `${prefix}:rate-limit`,
    /**
     * Hash: what workers last learnt of the account: `credits` (credits available), `limit`,
     * `remaining` and `reset` (the API's X-RateLimit-* headers), each with its `*_at` time; read
     * by `voicehire serve` for its metrics.
     */
    account: `${prefix}:account`,
    /**
     * String `status|epoch ms` as the latest campaign.status_changed webhook said, expiring
     * with the campaign cache so that a missed webhook cannot hold a campaign back for good.
     */
    campaignStatus: (campaignId: string) => `${prefix}:campaign-status:${campaignId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
