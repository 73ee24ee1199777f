import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiResponse } from './api-response.js';

/** The API takes requests up to 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type BodyRead = { body: Buffer } | { tooLarge: true };

/**
 * Reads the whole request body. Past the limit the rest is read and dropped rather than kept:
 * cutting the upload short would make the client see a broken connection instead of the 413.
 */
export function readBody(request: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
      }
    });
    request.once('end', () => {
      resolve(size > limitBytes ? { tooLarge: true } : { body: Buffer.concat(chunks) });
    });
    request.once('error', reject);
  });
}

/** The parsed JSON body, or undefined when it is not JSON. An empty body reads as undefined. */
export function parseJson(body: Buffer): { value: unknown } | undefined {
  if (body.length === 0) {
    return undefined;
  }
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** Writes one answer as JSON, unless the client has gone meanwhile. */
export function sendResponse(
  response: ServerResponse,
  answer: ApiResponse,
  extraHeaders: Record<string, string> = {},
): void {
  if (response.destroyed || response.writableEnded) {
    return;
  }

  const json = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    ...extraHeaders,
    ...answer.headers,
  });
  response.end(json);
}

/** A connection reset as the network makes one: the client reads ECONNRESET, no answer. */
export function resetConnection(request: IncomingMessage): void {
  request.socket.resetAndDestroy();
}
