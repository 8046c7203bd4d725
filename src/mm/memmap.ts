/**
 * struct page and the pageblock flags, as per-pfn typed arrays of one node (style.md §4): no object per page.
 * Mirrors the parts of include/linux/mm_types.h / page-flags.h / pageblock-flags.h the allocator reads (v6.18):
 * PageBuddy + buddy_order (page->private), the compound head/tail split, PageReserved, page->buddy_list /
 * page->pcp_list (one union in struct page: a page is on one list at a time, so buddy.ts and pcp.ts share the
 * `next`/`prev` links), and the per-pageblock migratetype bits (get_pfnblock_migratetype()).
 *
 * Owned by the buddy allocator's author; machine.ts only creates it through createMemmap().
 *
 * Bytes per simulated page: state 1 + order 1 + flags 1 + next 4 + prev 4 + owner 4 = 15, plus one pageblock
 * byte per 512 pages: 15.002 bytes (budget ≤ 24).
 */
import { InputError } from '../errors.js';
import * as mmzoneModule from './mmzone.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_TYPES, pageblock_order } = mmzoneModule;

/**
 * Page states (one per pfn). Exactly one holds for every pfn of a zone; checkBuddy() verifies it.
 * A block (free, allocated or pcp-held) is described at its head pfn; its other 2^order − 1 pfns are PAGE_TAIL.
 */
/** not present: a memory hole (no struct page in the kernel; pfn_valid() false) */
export const PAGE_HOLE = 0;
/** present but never given to the buddy allocator (PageReserved: memmap, kernel image, firmware) */
export const PAGE_RESERVED = 1;
/** head of a free block on a free list: PageBuddy, buddy_order() = order[] */
export const PAGE_BUDDY = 2;
/** head of an allocated block of order[] pages (in use; "allocated before the trace" included) */
export const PAGE_ALLOC = 3;
/** head of a block held on a per-cpu list (pcp.ts); not counted in NR_FREE_PAGES */
export const PAGE_PCP = 4;
/** any non-head page of a free, allocated or pcp block */
export const PAGE_TAIL = 5;
export const NR_PAGE_STATES = 6;
export const pageStateNames: readonly string[] = ['hole', 'reserved', 'buddy', 'allocated', 'pcp', 'tail'];

/**
 * Page flag bits (flags[]), set on the head of an allocated block by its allocator.
 * PG_movable_alike: the block would count as movable in prep_move_freepages_block() (PageLRU() or
 * page_has_movable_ops() in v6.18): try_to_claim_block() counts such pages as "alike" for MOVABLE claims.
 */
export const PG_movable_alike = 0x01;
/**
 * On the head of a free block (PAGE_BUDDY) the flags byte holds, in bits 5..7, the migratetype of the free list the
 * block is on (buddy.ts). 6.10+ keeps free lists and pageblock types equal, but before that a list could disagree with
 * its block's type (a stolen block, a whole-block move that did not re-type), and list_del() needs the real list.
 */
export const PG_BUDDY_MT_SHIFT = 5;

/**
 * Pageblock flag byte (include/linux/pageblock-flags.h, v6.18): bits 0..2 PB_migrate (the migratetype),
 * bit 3 PB_migrate_isolate (6.15+: isolation is a separate bit so the underlying type survives it), bit 4
 * PB_compact_skip (compaction's skip hint).
 */
export const PB_MIGRATETYPE_MASK = 0x07;
export const PB_migrate_isolate = 0x08;
export const PB_compact_skip = 0x10;

/** Largest pfn an Int32Array free-list link can hold (−1 is the "none" sentinel): 2^31 − 1 pfns, 8 TiB at 4 KiB. */
export const MAX_LINK_PFN = 0x7fffffff;

export interface MemMap {
  /** first pfn covered (node_start_pfn) */
  startPfn: number;
  /** pfns covered (node_spanned_pages) */
  nrPages: number;
  /** PAGE_* per pfn − startPfn */
  state: Uint8Array;
  /** block order at a head pfn (buddy_order() for PAGE_BUDDY, the allocation order for PAGE_ALLOC/PAGE_PCP) */
  order: Uint8Array;
  /** PG_* bits per pfn − startPfn */
  flags: Uint8Array;
  /** free-list / pcp-list links: the next and previous pfn on the same list, −1 none (list_head in struct page) */
  next: Int32Array;
  prev: Int32Array;
  /** owner handle per head pfn (task id or replay handle), −1 none; not read by the allocator */
  owner: Int32Array;
  /** one byte per pageblock: index (pfn >> pageblock_order) − pageblockBase */
  pageblockFlags: Uint8Array;
  /** startPfn >> pageblock_order */
  pageblockBase: number;
  nrPageblocks: number;
}

/**
 * Allocate the struct pages of one node: every pfn starts as PAGE_HOLE, every pageblock MIGRATE_MOVABLE
 * (memmap_init_range() marks every pageblock MOVABLE at boot, mm/mm_init.c v6.18), links −1.
 * Throws InputError when the node's pfns do not fit the Int32 links.
 */
export function createMemmap(startPfn: number, nrPages: number): MemMap {
  if (!Number.isInteger(startPfn) || !Number.isInteger(nrPages) || startPfn < 0 || nrPages < 0) {
    throw new InputError('machine', `node memmap: start_pfn ${startPfn} and ${nrPages} pages must be non-negative integers`);
  }
  const lastPfn = startPfn + nrPages - 1;
  if (nrPages > 0 && lastPfn > MAX_LINK_PFN) {
    throw new InputError(
      'machine',
      `node memmap: pfns ${startPfn}..${lastPfn} do not fit the Int32 free-list links ` +
        `(highest pfn ${MAX_LINK_PFN}, i.e. 8 TiB of 4 KiB pages per node)`,
    );
  }
  const pageblockBase = Math.floor(startPfn / (1 << pageblock_order));
  const nrPageblocks = nrPages === 0 ? 0 : Math.floor(lastPfn / (1 << pageblock_order)) - pageblockBase + 1;
  const mm: MemMap = {
    startPfn,
    nrPages,
    state: new Uint8Array(nrPages),
    order: new Uint8Array(nrPages),
    flags: new Uint8Array(nrPages),
    next: newInt32Minus1(nrPages),
    prev: newInt32Minus1(nrPages),
    owner: newInt32Minus1(nrPages),
    pageblockFlags: new Uint8Array(nrPageblocks).fill(MIGRATE_MOVABLE),
    pageblockBase,
    nrPageblocks,
  };
  return mm;
}

/**
 * A new Int32Array of n entries, every one −1. −1 is all bits set, so the bytes are filled instead: a byte fill is
 * one memset, where Int32Array.fill(-1) stores element by element (three 16 MiB link arrays for a 16 GiB machine).
 */
export function newInt32Minus1(n: number): Int32Array {
  const a = new Int32Array(n);
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0xff);
  return a;
}

/** Bytes of typed-array state per simulated page (reported by tests and the benchmark). */
export function memmapBytesPerPage(mm: MemMap): number {
  const bytes =
    mm.state.byteLength + mm.order.byteLength + mm.flags.byteLength + mm.next.byteLength + mm.prev.byteLength +
    mm.owner.byteLength + mm.pageblockFlags.byteLength;
  return mm.nrPages === 0 ? 0 : bytes / mm.nrPages;
}

/**
 * include/linux/mmzone.h get_pageblock_migratetype() / mm/page_alloc.c get_pfnblock_migratetype() (v6.18):
 * MIGRATE_ISOLATE when the pageblock's PB_migrate_isolate bit is set, else its PB_migrate bits.
 */
export function getPageblockMigratetype(mm: MemMap, pfn: number): number {
  return migratetypeOfPageblockFlags[mm.pageblockFlags[(pfn >> pageblock_order) - mm.pageblockBase]!]!;
}

/** getPageblockMigratetype()'s answer for each pageblock flag byte (one load on the free path) */
const migratetypeOfPageblockFlags = Int8Array.from({ length: 256 }, (_, f) => (f & PB_migrate_isolate ? MIGRATE_ISOLATE : f & PB_MIGRATETYPE_MASK));

/**
 * mm/page_alloc.c set_pageblock_migratetype() (v6.18): the PB_migrate bits of the pageblock holding pfn.
 * MIGRATE_ISOLATE is not a stored type since 6.15: it sets PB_migrate_isolate (set_pageblock_isolate())
 * and keeps the underlying type, as the kernel does.
 */
export function setPageblockMigratetype(mm: MemMap, pfn: number, mt: number): void {
  const i = (pfn >> pageblock_order) - mm.pageblockBase;
  const f = mm.pageblockFlags[i]!;
  if (mt === MIGRATE_ISOLATE) {
    mm.pageblockFlags[i] = f | PB_migrate_isolate;
    return;
  }
  if (mt < 0 || mt >= MIGRATE_TYPES) throw new RangeError(`set_pageblock_migratetype: migratetype ${mt} out of range`);
  mm.pageblockFlags[i] = (f & ~PB_MIGRATETYPE_MASK) | mt;
}

/** mm/page_isolation.c clear_pageblock_isolate() (6.15+): drop PB_migrate_isolate, the old type shows again. */
export function clearPageblockIsolate(mm: MemMap, pfn: number): void {
  const i = (pfn >> pageblock_order) - mm.pageblockBase;
  mm.pageblockFlags[i] = mm.pageblockFlags[i]! & ~PB_migrate_isolate;
}

/** Index of pfn into the per-pfn arrays. */
export function pfnIdx(mm: MemMap, pfn: number): number {
  return pfn - mm.startPfn;
}
