import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

export type CampaignState = 'active' | 'paused' | 'completed';

// Only a later event replaces the record: deliveries can arrive out of order, and a "paused"
// sent before an "active" must not win because it came last.
const recordScript = `
local current = redis.call('GET', KEYS[1])
if current then
  local at = tonumber(string.match(current, '|(%d+)$'))
  if at and at >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Records a campaign's status as a campaign.status_changed webhook gave it, for every worker.
 * It expires after `ttlMs` (the campaign cache's TTL): from then on the API's own answer counts,
 * so that a webhook lost on the way cannot hold a campaign back for good.
 */
export async function recordCampaignState(
  redis: Redis,
  keys: RedisKeys,
  campaignId: string,
  state: { status: CampaignState; at: Date; ttlMs: number },
): Promise<boolean> {
  const applied = await redis.eval(
    recordScript,
    1,
    keys.campaignStatus(campaignId),
    state.status,
    String(state.at.getTime()),
    String(Math.max(state.ttlMs, 1)),
  );
  return applied === 1;
}

export async function readCampaignState(
  redis: Redis,
  keys: RedisKeys,
  campaignId: string,
): Promise<CampaignState | undefined> {
  const value = await redis.get(keys.campaignStatus(campaignId));
  const status = value?.split('|')[0];
  return status === 'active' || status === 'paused' || status === 'completed' ? status : undefined;
}
