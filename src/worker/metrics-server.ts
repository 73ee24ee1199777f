import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * A worker's own `/metrics`, on `--metrics-port`: what only this process knows (its API calls,
 * latencies, batch outcomes). Queue-wide figures come from `voicehire serve`.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry
      .metrics()
      .then((text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(text))
      .catch(() => response.writeHead(500).end());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
