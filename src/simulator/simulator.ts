import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api-pipeline.js';
import { apiError, resourceNotFound } from './api-response.js';
import { type CampaignStatus, isCampaignStatus } from './campaign-store.js';
import {
  changeCampaignStatus,
  routeControlRequest,
  type SimulatorControl,
} from './control-routes.js';
import type { ScriptedFault } from './fault-injection.js';
import { readBody, sendResponse } from './http-io.js';
import { resolveOptions, type SimulatorOptions } from './simulator-options.js';
import type { SimulatorRecord } from './simulator-record.js';
import { type AddRefusal, createState } from './simulator-state.js';

export type { SimulatorOptions } from './simulator-options.js';
export type { SimulatorRecord } from './simulator-record.js';

/** A running simulator of the VoiceHire API, on a local port. */
export interface Simulator {
  /** Base URL of the API, ending in `/api/v1`: `http://127.0.0.1:PORT/api/v1`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops listening and drops every connection, including requests held unanswered, and every
   * webhook delivery still pending or in flight.
   */
  close(): Promise<void>;
  /** Adds credits, as a top-up in the agency's account would. */
  topUp(credits: number): void;
  /** Throws when the campaign does not exist or the status is not one the API knows. */
  setCampaignStatus(campaignId: string, status: CampaignStatus): void;
  /**
   * Refuses every add call with a 400 of this code and message (the same on every try), until
   * called again without one: for tests of batches that fail for good.
   */
  refuseAdds(refusal?: AddRefusal): void;
  /**
   * Refuses these phones (national form, `0612345678`) one by one, in `errors` by their index,
   * as the API refuses a candidate it will not call; the rest of each call goes through.
   */
  refuseCandidates(phones: Iterable<string>): void;
  /**
   * The next add calls meet these failures, one each, in order (then the drawn ones resume):
   * for tests of a precise sequence, such as a lost answer followed by a 503.
   */
  failNextAdds(faults: ScriptedFault[]): void;
  /** A copy of what the simulator received so far. */
  record(): SimulatorRecord;
  /** Back to the start options, as `POST /_simulator/reset` does. */
  reset(): void;
}

const API_PREFIX = '/api/v1';
const CONTROL_PREFIX = '/_simulator';

/** Starts a simulator that implements /work/shared/voicehire-api.md, with no network. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  let state = createState(resolved);
  const control: SimulatorControl = {
    state: () => state,
    reset: () => {
      // The old state's interviews and deliveries end with it.
      state.webhooks.close();
      state = createState(resolved);
    },
  };

  let origin = '';
  const server = createServer((request, response) => {
    handleRequest(control, origin, request, response).catch((err: unknown) => {
      // A bug of the simulator: the 500 carries the reason, since nothing here logs.
      const reason = err instanceof Error ? err.message : String(err);
      sendResponse(response, apiError(500, 'INTERNAL_ERROR', 'the simulator failed', { reason }));
    });
  });
  const port = await listen(server, resolved.port, resolved.host);
  // An IPv6 address needs brackets inside a URL.
  origin = `http://${resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${API_PREFIX}`,
    port,
    close() {
      // Webhooks first: no interview timer or retry may outlive the simulator.
      state.webhooks.close();
      closing ??= closeServer(server);
      return closing;
    },
    topUp: (credits) => state.credits.topUp(credits),
    setCampaignStatus(campaignId, status) {
      if (!isCampaignStatus(status)) {
        throw new RangeError(`status must be active, paused or completed, got ${String(status)}`);
      }
      changeCampaignStatus(state, campaignId, status);
    },
    refuseAdds(refusal) {
      state.addRefusal = refusal;
    },
    refuseCandidates(phones) {
      state.refusedPhones = new Set(phones);
    },
    failNextAdds(faults) {
      state.nextAddFaults.push(...faults);
    },
    record: () => state.recorder.snapshot(),
    reset: control.reset,
  };
}

async function handleRequest(
  control: SimulatorControl,
  origin: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', origin);
  const method = request.method ?? 'GET';

  // Like a front proxy, the size check comes before anything else, even the API key.
  const read = await readBody(request);
  if ('tooLarge' in read) {
    const tooLarge = apiError(413, 'PAYLOAD_TOO_LARGE', 'requests are limited to 10 MB');
    sendResponse(response, tooLarge, { Connection: 'close' });
    return;
  }

  const { pathname } = url;
  if (isUnder(pathname, CONTROL_PREFIX)) {
    const path = pathname.slice(CONTROL_PREFIX.length);
    sendResponse(response, routeControlRequest(control, method, path, read.body));
  } else if (isUnder(pathname, API_PREFIX)) {
    await handleApiRequest(control.state(), {
      request,
      response,
      method,
      path: pathname.slice(API_PREFIX.length),
      query: url.searchParams,
      body: read.body,
      origin,
    });
  } else {
    sendResponse(response, resourceNotFound(method, pathname));
  }
}

function isUnder(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive sockets and requests held without an answer would keep close() waiting.
    server.closeAllConnections();
  });
}
