/** src/mm/memmap.ts: struct page as typed arrays, pageblock flags (include/linux/pageblock-flags.h @ v6.18). */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  MAX_LINK_PFN,
  PAGE_HOLE,
  PB_compact_skip,
  clearPageblockIsolate,
  createMemmap,
  getPageblockMigratetype,
  memmapBytesPerPage,
  setPageblockMigratetype,
} from '../../src/mm/memmap.js';
import { MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE } from '../../src/mm/mmzone.js';

describe('createMemmap', () => {
  it('when a node is created then every pfn is a hole, links are -1 and pageblocks MOVABLE', () => {
    const mm = createMemmap(4096, 2048);
    expect(mm.state.every((s) => s === PAGE_HOLE)).toBe(true);
    expect(mm.next.every((v) => v === -1) && mm.prev.every((v) => v === -1)).toBe(true);
    // 4096 >> 9 = 8; (4096 + 2047) >> 9 = 11: four pageblocks
    expect([mm.pageblockBase, mm.nrPageblocks]).toEqual([8, 4]);
    expect(getPageblockMigratetype(mm, 4096 + 1500)).toBe(MIGRATE_MOVABLE);
  });

  it('when the node starts inside a pageblock then that pageblock is covered', () => {
    // DMA starts at pfn 1: the node from pfn 1, 4095 pages → pageblocks 0..7
    const mm = createMemmap(1, 4095);
    expect([mm.pageblockBase, mm.nrPageblocks]).toEqual([0, 8]);
  });

  it('when a page costs bytes then it is 15 per page plus one per pageblock (budget 24)', () => {
    // state 1 + order 1 + flags 1 + next 4 + prev 4 + owner 4 = 15; 1 pageblock byte per 512 pages
    const mm = createMemmap(0, 512 * 1024);
    expect(memmapBytesPerPage(mm)).toBeCloseTo(15 + 1 / 512, 6);
    expect(memmapBytesPerPage(mm)).toBeLessThanOrEqual(24);
  });

  it('when the pfns do not fit the Int32 links then it says so', () => {
    expect(() => createMemmap(MAX_LINK_PFN - 9, 10)).not.toThrow();
    expect(() => createMemmap(MAX_LINK_PFN - 9, 11)).toThrow(InputError);
    expect(() => createMemmap(MAX_LINK_PFN - 9, 11)).toThrowErrorMatchingInlineSnapshot(
      `[InputError: machine: node memmap: pfns 2147483638..2147483648 do not fit the Int32 free-list links (highest pfn 2147483647, i.e. 8 TiB of 4 KiB pages per node)]`,
    );
  });
});

describe('getPageblockMigratetype / setPageblockMigratetype', () => {
  it('when a pageblock is re-typed then only its 512 pages see the new type', () => {
    const mm = createMemmap(0, 2048);
    setPageblockMigratetype(mm, 600, MIGRATE_UNMOVABLE);
    expect([0, 511, 512, 1023, 1024].map((p) => getPageblockMigratetype(mm, p))).toEqual([
      MIGRATE_MOVABLE,
      MIGRATE_MOVABLE,
      MIGRATE_UNMOVABLE,
      MIGRATE_UNMOVABLE,
      MIGRATE_MOVABLE,
    ]);
  });

  it('when a pageblock is isolated then it reads ISOLATE and the old type comes back on clearing (6.15+)', () => {
    // PB_migrate_isolate is its own bit since 6.15: set_pageblock_isolate keeps PB_migrate
    const mm = createMemmap(0, 512);
    setPageblockMigratetype(mm, 0, MIGRATE_RECLAIMABLE);
    setPageblockMigratetype(mm, 0, MIGRATE_ISOLATE);
    expect(getPageblockMigratetype(mm, 0)).toBe(MIGRATE_ISOLATE);
    clearPageblockIsolate(mm, 0);
    expect(getPageblockMigratetype(mm, 0)).toBe(MIGRATE_RECLAIMABLE);
  });

  it('when the compaction skip bit is set then the migratetype is unchanged', () => {
    const mm = createMemmap(0, 512);
    mm.pageblockFlags[0]! |= PB_compact_skip;
    expect(getPageblockMigratetype(mm, 0)).toBe(MIGRATE_MOVABLE);
    setPageblockMigratetype(mm, 0, MIGRATE_UNMOVABLE);
    expect(mm.pageblockFlags[0]! & PB_compact_skip).toBe(PB_compact_skip);
  });
});
