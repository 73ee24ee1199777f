/**
 * Mulberry32: a small seeded generator, uniform enough for picking failures and generating test
 * data. Math.random takes no seed, and node:crypto's generators are neither seedable nor needed.
 * The same seed gives the same sequence on every machine.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
