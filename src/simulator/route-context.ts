import type { SimulatorState } from './simulator-state.js';

/** What a route handler may read about its request. */
export interface RouteContext {
  state: SimulatorState;
  body: Buffer;
  query: URLSearchParams;
  /** `http://host:port` of the simulator, for the links it hands out. */
  origin: string;
}
