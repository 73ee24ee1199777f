import type { Config } from './config.js';
import type { Logger } from './logger.js';

export type AlertKind = 'credits_low' | 'queue_halted';

export type Alert = (kind: AlertKind, text: string, fields?: Record<string, unknown>) => void;

/** Posting an alert must never hold a worker up for long. */
const POST_TIMEOUT_MS = 5_000;

/**
 * Logs an alert at the level its kind deserves and, when ALERT_WEBHOOK_URL is set, posts it as
 * JSON with a `text` field: what Slack's incoming webhooks and most chat tools accept.
 */
export function createAlert(config: Config, logger: Logger): Alert {
  return (kind, text, fields = {}) => {
    const line = { alert: kind, ...fields };
    if (kind === 'queue_halted') {
      logger.error(line, text);
    } else {
      logger.warn(line, text);
    }

    if (config.ALERT_WEBHOOK_URL === undefined) {
      return;
    }
    fetch(config.ALERT_WEBHOOK_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: `voicehire: ${text}`, kind, ...fields }),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    })
      .then((response) => {
        if (!response.ok) {
          logger.warn({ alert: kind, status: response.status }, 'alert webhook refused the alert');
        }
      })
      .catch((err: Error) => {
        logger.warn({ alert: kind, err: { message: err.message } }, 'alert webhook unreachable');
      });
  };
}
