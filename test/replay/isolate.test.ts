import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { checkBuddy } from '../../src/mm/debug_vm.js';
import { createPageAlloc } from '../../src/mm/page_alloc.js';
import { PAGE_ALLOC, PAGE_PCP, PAGE_HOLE } from '../../src/mm/memmap.js';
import { MIGRATE_MOVABLE, ZONE_DMA32, ZONE_DMA } from '../../src/mm/mmzone.js';
import { CLAIM_BUDDY, CLAIM_IMPOSSIBLE, CLAIM_PCP, CLAIM_TAKEOVER, blockHead, claimBlock, findPcpList, pcpAddHead, takePageOffBuddy } from '../../src/mm/isolate.js';

function machine() {
  const m = buildMachine('x86_64-1G', { policy: v6_18 });
  createPageAlloc(m);
  const node = m.nodes[0]!;
  return { m, node, zone: node.zones[ZONE_DMA32]!, mm: node.memmap };
}

describe('takePageOffBuddy', () => {
  it('when the target is the 4th page of a free order-10 block then orders 0..9 each gain one block and NR_FREE_PAGES drops by 1', () => {
    const { zone, mm } = machine();
    const fa = zone.freeArea;
    const head = fa.head[10 * 6 + MIGRATE_MOVABLE]!;
    const before = Array.from(fa.nrFree);
    const free = zone.nrFreePages;
    expect(takePageOffBuddy(zone, mm, head + 3, 0)).toBe(true);
    // break_down_buddy_pages: halves 512 (order 9) .. the order-0 buddy at head+2: one block per order 0..9
    for (let o = 0; o < 10; o++) expect(fa.nrFree[o]).toBe(before[o]! + 1);
    expect(fa.nrFree[10]).toBe(before[10]! - 1);
    expect(zone.nrFreePages).toBe(free - 1);
    expect(mm.state[head + 3 - mm.startPfn]).toBe(PAGE_ALLOC);
    // the halves go to the list heads: the order-0 buddy of the target is head+2
    expect(fa.head[0 * 6 + MIGRATE_MOVABLE]).toBe(head + 2);
    checkBuddy(zone, mm);
  });
  it('when the range is not inside one free block then nothing changes', () => {
    const { zone, mm } = machine();
    const head = zone.freeArea.head[10 * 6 + MIGRATE_MOVABLE]!;
    expect(takePageOffBuddy(zone, mm, head, 0)).toBe(true);
    expect(takePageOffBuddy(zone, mm, head, 0)).toBe(false);
    checkBuddy(zone, mm);
  });
});

describe('claimBlock', () => {
  it('when the block is on a pcp list then it is unlinked from it and pcp->count drops', () => {
    const { zone, mm } = machine();
    const pcp = zone.pcp!;
    const head = zone.freeArea.head[10 * 6 + MIGRATE_MOVABLE]!;
    expect(claimBlock(zone, mm, head + 8, 0)).toBe(CLAIM_BUDDY);
    pcpAddHead(pcp, 1, head + 8, 0, MIGRATE_MOVABLE);
    expect(mm.state[head + 8 - mm.startPfn]).toBe(PAGE_PCP);
    expect(findPcpList(pcp, head + 8)).toBe(1 * pcp.nrLists + MIGRATE_MOVABLE);
    expect(pcp.count[1]).toBe(1);
    expect(claimBlock(zone, mm, head + 8, 0)).toBe(CLAIM_PCP);
    expect(pcp.count[1]).toBe(0);
    expect(pcp.head[1 * pcp.nrLists + MIGRATE_MOVABLE]).toBe(-1);
    checkBuddy(zone, mm);
  });
  it('when a larger allocated block holds the range then it is split and the result is a take-over', () => {
    const { zone, mm } = machine();
    const head = zone.freeArea.head[10 * 6 + MIGRATE_MOVABLE]!;
    expect(claimBlock(zone, mm, head, 4)).toBe(CLAIM_BUDDY);
    expect(claimBlock(zone, mm, head + 2, 1)).toBe(CLAIM_TAKEOVER);
    // pieces: head (order 1), head+2 (target, order 1), head+4 (order 2), head+8 (order 3): all allocated heads
    expect(blockHead(mm, head + 3)).toBe(head + 2);
    expect(mm.order[head + 4 - mm.startPfn]).toBe(2);
    expect(mm.state[head + 8 - mm.startPfn]).toBe(PAGE_ALLOC);
    checkBuddy(zone, mm);
  });
  it('when the range holds a hole then it is impossible and nothing changes', () => {
    const { m, mm } = machine();
    const dma = m.nodes[0]!.zones[ZONE_DMA]!;
    const first = dma.zoneStartPfn as number;
    expect(mm.state[first - mm.startPfn]).toBe(PAGE_HOLE);
    expect(claimBlock(dma, mm, first, 0)).toBe(CLAIM_IMPOSSIBLE);
    checkBuddy(dma, mm);
  });
});
