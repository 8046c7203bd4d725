// Fast-path benchmark: alloc+free pairs per second through allocPagesFast() / freePages() (pcp + buddy) on the
// x86_64-16G preset (DMA, DMA32, 12 GiB Normal, 8 CPUs), v6.18 policy, decision steps off. Seeded (mulberry32),
// so before/after runs see identical request streams. Prints pairs/s, fast-path failures, and bytes per simulated
// page (memmap typed arrays + pcp arrays). Asserts nothing.
import { buildMachine } from '../dist/mm/machine.js';
import { v6_18 } from '../dist/policy/v6.18.js';
import { createPageAlloc, createAllocOut, allocPagesFast, freePages } from '../dist/mm/page_alloc.js';
import { drainAllPages } from '../dist/mm/pcp.js';
import { gfpBit } from '../dist/mm/gfp.js';
import { memmapBytesPerPage } from '../dist/mm/memmap.js';
import { mulberry32 } from './prng.js';


const era = v6_18.gfpEra;
const GFP_KERNEL = gfpBit('GFP_KERNEL', era);
const GFP_HIGHUSER_MOVABLE = gfpBit('GFP_HIGHUSER_MOVABLE', era);
const __GFP_COMP = gfpBit('__GFP_COMP', era);

/** order mix: mostly 0, some 1–3, a few 9 (THP) */
function pickOrder(r) {
  if (r < 0.86) return 0;
  if (r < 0.91) return 1;
  if (r < 0.95) return 2;
  if (r < 0.99) return 3;
  return 9;
}

function runOne(name, pairs, live, mix, print) {
  const m = buildMachine('x86_64-16G', { policy: v6_18 });
  const pa = createPageAlloc(m);
  const out = createAllocOut();
  const rnd = mulberry32(0x5eed);
  const nrCpus = m.nrCpus;
  const pfns = new Int32Array(live).fill(-1);
  const orders = new Uint8Array(live);
  const gfps = new Int32Array(live);
  // pre-draw the request stream so the timed loop measures the allocator, not the PRNG
  const n = pairs;
  const slot = new Int32Array(n);
  const ord = new Uint8Array(n);
  const gfp = new Int32Array(n);
  const cpu = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    slot[i] = Math.floor(rnd() * live);
    const o = mix ? pickOrder(rnd()) : 0;
    ord[i] = o;
    gfp[i] = o === 9 ? GFP_HIGHUSER_MOVABLE | __GFP_COMP : rnd() < 0.6 ? GFP_HIGHUSER_MOVABLE : GFP_KERNEL;
    cpu[i] = Math.floor(rnd() * nrCpus);
  }
  // fill the live set
  for (let s = 0; s < live; s++) {
    pfns[s] = allocPagesFast(pa, GFP_KERNEL, 0, 0, s % nrCpus, out);
    orders[s] = 0;
  }
  let failed = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = slot[i];
    const c = cpu[i];
    if (pfns[s] >= 0) freePages(pa, pfns[s], orders[s], c);
    const p = allocPagesFast(pa, gfp[i], ord[i], 0, c, out);
    if (p < 0) failed++;
    pfns[s] = p;
    orders[s] = ord[i];
    gfps[s] = gfp[i];
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu1 = process.cpuUsage(c0);
  const cpuNs = (cpu1.user + cpu1.system) * 1000;
  // memory per simulated page: memmap typed arrays + pcp arrays, over the node's pfns
  let bytes = 0;
  let pages = 0;
  for (const node of m.nodes) {
    const mm = node.memmap;
    bytes += memmapBytesPerPage(mm) * mm.nrPages;
    pages += mm.nrPages;
    for (const z of node.zones) {
      const p = z.pcp;
      if (p) bytes += p.head.byteLength + p.tail.byteLength + p.count.byteLength * 4 + p.flags.byteLength;
    }
  }
  // sanity: free everything and drain; NR_FREE_PAGES must come back to its boot value
  for (let s = 0; s < live; s++) if (pfns[s] >= 0) freePages(pa, pfns[s], orders[s], 0);
  drainAllPages(m.nodes.flatMap((nd) => nd.zones), pa.buddy);
  const pairsPerS = (n / ns) * 1e9;
  // CPU time as well as wall time: on a shared machine the wall-clock rate mostly measures the other tenants
  const pairsPerCpuS = (n / cpuNs) * 1e9;
  print(
    `${name.padEnd(16)} ${(pairsPerS / 1e6).toFixed(2)} M pairs/s wall, ${(pairsPerCpuS / 1e6).toFixed(2)} M pairs/s CPU  ` +
      `(${n} pairs, ${live} live, fast-path failures ${failed}, ` +
      `${(bytes / pages).toFixed(3)} bytes/page, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`,
  );
}

export async function run(print) {
  runOne('order-0', 2_000_000, 20_000, false, print);
  runOne('order mix 0-3,9', 1_000_000, 20_000, true, print);
}
