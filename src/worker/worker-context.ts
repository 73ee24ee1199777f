import { type Config, requireApiKey } from '../shared/config.js';
import { openQueueContext, type QueueContext } from '../shared/queue-context.js';
import { type ResponseEvent, VoiceHireClient } from '../shared/voicehire-client.js';
import { ApiRateLimiter } from './rate-limiter.js';

/** What every command that calls the API needs beside the queue: the client and the limiter. */
export interface ApiContext extends QueueContext {
  client: VoiceHireClient;
  limiter: ApiRateLimiter;
}

export async function openApiContext(
  config: Config,
  options: { persistent: boolean; onResponse?: (event: ResponseEvent) => void },
): Promise<ApiContext> {
  // Checked before connecting: a missing key is a configuration error, whatever Redis says.
  const apiKey = requireApiKey(config);
  const client = new VoiceHireClient({
    baseUrl: config.VOICEHIRE_API_URL,
    apiKey,
    timeoutMs: config.VOICEHIRE_TIMEOUT_MS,
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
  });

  const context = await openQueueContext(config, { persistent: options.persistent });
  const limiter = new ApiRateLimiter(
    context.redis,
    context.keys.rateLimit,
    config.VOICEHIRE_RATE_LIMITS,
    apiKey,
  );
  return { ...context, client, limiter };
}
