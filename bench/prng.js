// mulberry32: a tiny seeded PRNG (32-bit state), deterministic across runs and platforms, so before/after bench runs
// see identical data (style.md §4). Shared by every bench/*.bench.js.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
