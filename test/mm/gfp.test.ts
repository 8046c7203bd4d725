import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  GfpEraGuess,
  GfpParseError,
  erasKnowingName,
  formatGfpFlags,
  formatGfpMode,
  gfpBit,
  gfpEraIds,
  gfpEraIndex,
  gfpEraSpec,
  gfpEras,
  gfpMigratetype,
  gfpZone,
  gfpZoneBad,
  parseGfpFlags,
  translateGfp,
} from '../../src/mm/gfp.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../src/mm/mmzone.js';

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
const bit = (id: string): number => 1 << gfpEraIndex(id);

describe('gfpEras', () => {
  test('lists every layout from 4.0 to 6.18 in order, each with its release range', () => {
    expect(gfpEras.map((e) => `${e.id}: ${e.kernels}`)).toMatchInlineSnapshot(`
      [
        "4.0: 4.0–4.3",
        "4.4: 4.4",
        "4.5: 4.5",
        "4.6: 4.6–4.7",
        "4.8: 4.8–4.9",
        "4.10: 4.10–4.12",
        "4.13: 4.13",
        "4.14: 4.14",
        "4.15: 4.15–4.17",
        "4.18: 4.18–5.0",
        "5.1: 5.1–5.13",
        "5.14: 5.14–5.17",
        "5.18: 5.18–6.2",
        "6.3: 6.3",
        "6.4: 6.4–6.7",
        "6.8: 6.8–6.9",
        "6.10: 6.10–6.14",
        "6.15: 6.15–6.18",
      ]
    `);
  });

  test('when an era id is unknown then a UsageError names the known ones', () => {
    expect(() => parseGfpFlags('GFP_KERNEL', '9.9')).toThrow(UsageError);
    expect(() => gfpBit('GFP_KERNEL', '9.9')).toThrow(/unknown gfp era '9.9' \(known: 4.0, 4.4,/);
  });
});

describe('composite values per policy era (reference §2.3, x86-64, no LOCKDEP, no KASAN_HW_TAGS)', () => {
  // Columns: P4.0 → '4.0', P4.12 → '4.10', P5.0 → '4.18', P5.15 → '5.14', P6.1 → '5.18', P6.6 → '6.4',
  // P6.18 → '6.15'. Each value was recomputed by hand from the era's bit column and the gfp.h definition.
  const eras = ['4.0', '4.10', '4.18', '5.14', '5.18', '6.4', '6.15'];
  const table: Record<string, (number | undefined)[]> = {
    GFP_ATOMIC: [0x20, 0x1080020, 0x480020, 0xa20, 0xa20, 0x820, 0x820],
    GFP_NOWAIT: [0x0, 0x1000000, 0x400000, 0x800, 0x800, 0x800, 0x2800],
    GFP_NOIO: [0x10, 0x1400000, 0x600000, 0xc00, 0xc00, 0xc00, 0xc00],
    GFP_NOFS: [0x50, 0x1400040, 0x600040, 0xc40, 0xc40, 0xc40, 0xc40],
    GFP_KERNEL: [0xd0, 0x14000c0, 0x6000c0, 0xcc0, 0xcc0, 0xcc0, 0xcc0],
    GFP_KERNEL_ACCOUNT: [undefined, 0x15000c0, 0x7000c0, 0x400cc0, 0x400cc0, 0x400cc0, 0x400cc0],
    GFP_TEMPORARY: [0x800d0, 0x14000d0, undefined, undefined, undefined, undefined, undefined],
    GFP_USER: [0x200d0, 0x14200c0, 0x6200c0, 0x100cc0, 0x100cc0, 0x100cc0, 0x100cc0],
    GFP_HIGHUSER: [0x200d2, 0x14200c2, 0x6200c2, 0x100cc2, 0x100cc2, 0x100cc2, 0x100cc2],
    GFP_HIGHUSER_MOVABLE: [0x200da, 0x14200ca, 0x6200ca, 0x1100cca, 0x100cca, 0x100cca, 0x100cca],
    GFP_TRANSHUGE_LIGHT: [undefined, 0x342ca, 0x342ca, 0x11c20ca, 0x1c20ca, 0x1c20ca, 0x1c20ca],
    GFP_TRANSHUGE: [0x4352da, 0x4342ca, 0x2342ca, 0x11c24ca, 0x1c24ca, 0x1c24ca, 0x1c24ca],
    __GFP_RECLAIM: [undefined, 0x1400000, 0x600000, 0xc00, 0xc00, 0xc00, 0xc00],
  };
  for (const [name, values] of Object.entries(table)) {
    test(`${name} has the kernel's value in each era`, () => {
      expect(eras.map((e) => hex(gfpBit(name, e)))).toEqual(values.map((v) => hex(v ?? 0)));
      eras.forEach((e, i) => expect(name in gfpEraSpec(e).composites).toBe(values[i] !== undefined));
    });
  }

  test('when 4.0-era perf kmem shows 000280da then it is GFP_HIGHUSER_MOVABLE|__GFP_ZERO (lkml 2015-04-21)', () => {
    expect(hex(parseGfpFlags('GFP_HIGHUSER_MOVABLE|GFP_ZERO', '4.0'))).toBe('0x280da');
    expect(formatGfpFlags(0x280da, '4.0')).toBe('GFP_HIGHUSER_MOVABLE|GFP_ZERO');
  });

  test('6.10+ values follow the enum order: bit 9 unused, NO_OBJ_EXT right after ZEROTAGS (MEMCG, no LOCKDEP)', () => {
    expect(hex(gfpBit('__GFP_DIRECT_RECLAIM', '6.15'))).toBe('0x400');
    expect(hex(gfpBit('__GFP_ZEROTAGS', '6.15'))).toBe('0x800000');
    expect(hex(gfpBit('__GFP_NO_OBJ_EXT', '6.15'))).toBe('0x1000000');
    expect(gfpBit('__GFP_NOLOCKDEP', '6.15')).toBe(0);
    expect(gfpBit('__GFP_SKIP_KASAN', '6.15')).toBe(0);
    expect(gfpBit('__GFP_NO_OBJ_EXT', '6.8')).toBe(0);
    expect(gfpBit('__GFP_DIRECT_RECLAIM', '4.0')).toBe(0);
    expect(hex(gfpBit('__GFP_WAIT', '4.0'))).toBe('0x10');
  });
});

describe('show_gfp_flags round trip', () => {
  for (const { id } of gfpEras) {
    test(`era ${id}: every composite prints as its own name and every table mask parses back`, () => {
      const spec = gfpEraSpec(id);
      for (const [name, mask] of spec.trace) {
        // 4.4–4.5 print the lone __GFP_ATOMIC bit as "GFP_ATOMIC", the composite's name: a lone "GFP_ATOMIC"
        // is read as the composite (tested below)
        if (name === 'GFP_ATOMIC' && mask === gfpBit('__GFP_ATOMIC', id)) continue;
        const printed = formatGfpFlags(mask, id);
        expect(parseGfpFlags(printed, id), `${name} → ${printed}`).toBe(mask >>> 0);
        if (name in spec.composites && name.startsWith('GFP_')) expect(printed).toBe(name);
      }
    });
  }

  test('when the mask is 0 then old eras print GFP_NOWAIT and 4.6+ print none', () => {
    expect(gfpEras.map((e) => formatGfpFlags(0, e.id))).toEqual([
      'GFP_NOWAIT', 'GFP_NOWAIT', 'GFP_NOWAIT', ...Array<string>(gfpEras.length - 3).fill('none'),
    ]);
    expect(parseGfpFlags('GFP_NOWAIT', '4.0')).toBe(0);
    expect(parseGfpFlags('none', '6.15')).toBe(0);
    expect(() => parseGfpFlags('none', '4.0')).toThrow(GfpParseError);
    // on 4.6+ GFP_NOWAIT is a real composite, not 0
    expect(hex(parseGfpFlags('GFP_NOWAIT', '4.8'))).toBe('0x2000000');
  });

  test('when a composite covers GFP_KERNEL|__GFP_HARDWALL then it prints GFP_USER (composites come first)', () => {
    for (const e of ['4.0', '4.8', '5.1', '6.15']) {
      expect(formatGfpFlags(gfpBit('GFP_KERNEL', e) | gfpBit('GFP_USER', e), e)).toBe('GFP_USER');
    }
  });

  test('when 6.15+ prints single flags then they are in bit order; older eras keep the mmflags.h order', () => {
    const m = gfpBit('GFP_KERNEL', '6.15') | 0x20000 /* MEMALLOC */ | 0x40000 /* COMP */ | 0x80000 /* NOMEMALLOC */;
    expect(formatGfpFlags(m, '6.15')).toBe('GFP_KERNEL|__GFP_MEMALLOC|__GFP_COMP|__GFP_NOMEMALLOC');
    expect(formatGfpFlags(m, '6.10')).toBe('GFP_KERNEL|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_MEMALLOC');
    expect(formatGfpFlags(0x140dca, '6.15')).toBe('GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP');
    expect(formatGfpFlags(0x140dca, '6.10')).toBe('GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO');
  });

  test('when 6.8+ formats GFP_NOWAIT|__GFP_NOWARN then GFP_NOWAIT alone covers it', () => {
    expect(formatGfpFlags(0x2800, '6.8')).toBe('GFP_NOWAIT');
    expect(formatGfpFlags(0x2800, '6.4')).toBe('GFP_NOWAIT|__GFP_NOWARN');
    expect(formatGfpFlags(0x200 | 0x1000000, '4.8')).toBe('__GFP_NOWARN|__GFP_WRITE');
  });

  test('when bits have no name then they print as one lower-case hex remainder and parse back', () => {
    // __GFP_NO_OBJ_EXT (0x1000000) has no trace name before 6.15
    expect(formatGfpFlags(0x1000cc0, '6.10')).toBe('GFP_KERNEL|0x1000000');
    expect(formatGfpFlags(0x1000cc0, '6.15')).toBe('GFP_KERNEL|__GFP_NO_OBJ_EXT');
    expect(hex(parseGfpFlags('GFP_KERNEL|0x1000000', '6.10'))).toBe('0x1000cc0');
    // 4.0 has no name for __GFP_FS or __GFP_WRITE
    expect(formatGfpFlags(0x80 | 0x1000000, '4.0')).toBe('0x1000080');
    expect(formatGfpFlags(0xfc000020, '6.15')).toBe('__GFP_HIGH|0xfc000000');
  });

  test('when the text is raw hex (perf/trace-cmd on 6.10–6.13 without TRACE_DEFINE_ENUM) then it is the mask', () => {
    // 60295b944ff6 ("tracing: gfp: Fix the GFP enum values shown for user space tracing tools"): perf printed
    // gfp_flags=0x140cca where ftrace prints GFP_HIGHUSER_MOVABLE|__GFP_COMP
    expect(hex(parseGfpFlags('0x140cca', '6.10'))).toBe('0x140cca');
    expect(formatGfpFlags(0x140cca, '6.10')).toBe('GFP_HIGHUSER_MOVABLE|__GFP_COMP');
    expect(hex(parseGfpFlags('0x400dc0', '6.15'))).toBe('0x400dc0');
  });

  test('when 4.4 prints the single __GFP_ATOMIC bit then the second GFP_ATOMIC (after GFP_HIGH) is that bit', () => {
    expect(formatGfpFlags(0x80020, '4.4')).toBe('GFP_HIGH|GFP_ATOMIC');
    expect(hex(parseGfpFlags('GFP_HIGH|GFP_ATOMIC', '4.4'))).toBe('0x80020');
    expect(hex(parseGfpFlags('GFP_ATOMIC', '4.4'))).toBe('0x2080020');
    expect(hex(parseGfpFlags('GFP_ATOMIC|GFP_COLD', '4.4'))).toBe('0x2080120');
    // the one ambiguous text: a lone __GFP_ATOMIC bit also prints "GFP_ATOMIC"; the composite reading wins
    expect(formatGfpFlags(0x80000, '4.4')).toBe('GFP_ATOMIC');
  });

  test('when the same text is parsed twice then the cached mask is returned; eras do not share caches', () => {
    expect(hex(parseGfpFlags('GFP_KERNEL', '4.0'))).toBe('0xd0');
    expect(hex(parseGfpFlags('GFP_KERNEL', '6.15'))).toBe('0xcc0');
    expect(hex(parseGfpFlags('GFP_KERNEL', '4.0'))).toBe('0xd0');
  });
});

describe('real traces', () => {
  test('the 6.18 strings of the brief parse to their hand-computed masks', () => {
    // GFP_TRANSHUGE 0x1c24ca | NORETRY 0x10000 | THISNODE 0x200000
    expect(hex(parseGfpFlags('GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE', '6.15'))).toBe('0x3d24ca');
    // GFP_HIGHUSER_MOVABLE 0x100cca | ZERO 0x100 | COMP 0x40000
    expect(hex(parseGfpFlags('GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP', '6.15'))).toBe('0x140dca');
    // GFP_KERNEL_ACCOUNT 0x400cc0 | ZERO | COMP
    expect(hex(parseGfpFlags('GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP', '6.15'))).toBe('0x440dc0');
    expect(hex(parseGfpFlags('GFP_NOWAIT', '6.15'))).toBe('0x2800');
  });

  test('every gfp string of the shipped 6.18 capture round-trips and leaves only era 6.15', () => {
    const text = gunzipSync(readFileSync(new URL('../../traces/real/fork-exec/trace.txt.gz', import.meta.url)))
      .toString('latin1');
    const strings = new Set<string>();
    for (const m of text.matchAll(/gfp_flags=(\S+)/g)) strings.add(m[1]!);
    expect(strings.size).toBeGreaterThan(5);
    const guess = new GfpEraGuess();
    for (const s of strings) {
      expect(formatGfpFlags(parseGfpFlags(s, '6.15'), '6.15')).toBe(s);
      guess.observe(s);
    }
    expect(gfpEraIds(guess.candidates())).toEqual(['6.15']);
    expect(guess.unknownNames()).toEqual([]);
  });
});

describe('formatGfpMode (warn_alloc "mode:%#x(%pGg)")', () => {
  // Lines from public dmesg reports: coreos/bugs#1106 (4.9.24), dCache/dcache#3787 (4.9.0 Debian),
  // unix.stackexchange 593335 (4.9.56), spdk/spdk#1252 (5.4.19), jcmvbkbc/linux-xtensa#17 (6.8.0),
  // archlinuxarm/PKGBUILDs#1308 (4.3.0, warn_alloc_failed before %pGg).
  const lines: [string, string, string][] = [
    ['4.8', 'java: page allocation failure: order:0, mode:0x2084120(GFP_ATOMIC|__GFP_COLD|__GFP_COMP)', '0x2084120'],
    ['4.8', 'page allocation failure: order:0, mode:0x2080020(GFP_ATOMIC)', '0x2080020'],
    ['4.8', 'xxxx: page allocation failure: order:10, mode:0x2084020(GFP_ATOMIC|__GFP_COMP)', '0x2084020'],
    ['5.1', 'kworker/u16:3: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), ' +
      'nodemask=(null),cpuset=/,mems_allowed=0', '0x40dc0'],
    ['6.8', 'irq/5-600c0004.: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), nodemask=(null)', '0x820'],
    ['4.0', 'systemd-cgroups: page allocation failure: order:0, mode:0x20', '0x20'],
  ];
  for (const [era, line, value] of lines) {
    test(`era ${era} reproduces: ${line.slice(0, 70)}`, () => {
      const body = /mode:(0x[0-9a-f]+(?:\([^)]*\))?)/.exec(line)![1]!;
      expect(formatGfpMode(Number(value), era)).toBe(body);
      expect(hex(parseGfpFlags(body, era))).toBe(value);
    });
  }

  test('when %pGg gets 0 or unnamed bits then it prints nothing or the hex rest (lib/test_printf.c cases)', () => {
    expect(formatGfpMode(0, '6.15')).toBe('0x0()');
    expect(formatGfpMode(0xfc000000, '6.15')).toBe('0xfc000000(0xfc000000)');
    expect(formatGfpMode(0xfc000020, '6.15')).toBe('0xfc000020(__GFP_HIGH|0xfc000000)');
    expect(formatGfpMode(0x140cca, '6.15')).toBe('0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)');
  });
});

describe('gfpZone (gfp_zone)', () => {
  test('zone modifiers choose the highest usable zone on x86-64 in every era', () => {
    for (const { id } of gfpEras) {
      expect(gfpZone(gfpBit('GFP_KERNEL', id), id)).toBe(ZONE_NORMAL);
      expect(gfpZone(gfpBit('GFP_HIGHUSER_MOVABLE', id), id)).toBe(ZONE_MOVABLE);
      expect(gfpZone(gfpBit('GFP_HIGHUSER', id), id)).toBe(ZONE_NORMAL); // no ZONE_HIGHMEM on x86-64
      expect(gfpZone(gfpBit('GFP_DMA32', id) | gfpBit('GFP_KERNEL', id), id)).toBe(ZONE_DMA32);
      expect(gfpZone(gfpBit('GFP_DMA', id), id)).toBe(ZONE_DMA);
      expect(gfpZone(gfpBit('GFP_TRANSHUGE', id), id)).toBe(ZONE_MOVABLE);
    }
  });

  test('when only __GFP_MOVABLE is set then the zone is Normal; MOVABLE|DMA32 stays DMA32', () => {
    expect(gfpZone(0x8 | 0xcc0, '6.15')).toBe(ZONE_NORMAL);
    expect(gfpZone(0xc, '6.15')).toBe(ZONE_DMA32);
    expect(gfpZone(0x9, '4.0')).toBe(ZONE_DMA);
  });

  test('when the modifiers are an invalid combination then GFP_ZONE_BAD says so', () => {
    expect([0x3, 0x5, 0x6, 0x7, 0xb, 0xd, 0xe, 0xf].every((m) => gfpZoneBad(m))).toBe(true);
    expect([0x0, 0x1, 0x2, 0x4, 0x8, 0x9, 0xa, 0xc].some((m) => gfpZoneBad(m))).toBe(false);
  });
});

describe('gfpMigratetype (gfp_migratetype / gfpflags_to_migratetype)', () => {
  test('4.0 numbers MOVABLE 2 and RECLAIMABLE 1', () => {
    expect(gfpMigratetype(gfpBit('GFP_HIGHUSER_MOVABLE', '4.0'), '4.0')).toBe(2);
    expect(gfpMigratetype(gfpBit('GFP_TEMPORARY', '4.0'), '4.0')).toBe(1);
    expect(gfpMigratetype(gfpBit('GFP_KERNEL', '4.0'), '4.0')).toBe(0);
  });

  test('4.4+ shifts (gfp & (MOVABLE|RECLAIMABLE)) >> 3: MOVABLE 1, RECLAIMABLE 2, both 3', () => {
    for (const id of ['4.4', '4.18', '5.1', '6.15']) {
      expect(gfpMigratetype(gfpBit('GFP_HIGHUSER_MOVABLE', id), id)).toBe(1);
      expect(gfpMigratetype(gfpBit('GFP_KERNEL', id) | gfpBit('__GFP_RECLAIMABLE', id), id)).toBe(2);
      expect(gfpMigratetype(gfpBit('GFP_KERNEL_ACCOUNT', id), id)).toBe(0);
      expect(gfpMigratetype(0x18, id)).toBe(3);
    }
  });
});

describe('era inference (GfpEraGuess, erasKnowingName)', () => {
  test('a name is known to exactly the eras whose table prints it', () => {
    expect(gfpEraIds(erasKnowingName('__GFP_COLD'))).toEqual(['4.6', '4.8', '4.10', '4.13', '4.14']);
    expect(gfpEraIds(erasKnowingName('GFP_WAIT'))).toEqual(['4.0']);
    expect(gfpEraIds(erasKnowingName('GFP_DIRECT_RECLAIM'))).toEqual(['4.4', '4.5']);
    expect(gfpEraIds(erasKnowingName('__GFP_NO_OBJ_EXT'))).toEqual(['6.15']);
    expect(gfpEraIds(erasKnowingName('__GFP_ATOMIC'))).toEqual(
      ['4.6', '4.8', '4.10', '4.13', '4.14', '4.15', '4.18', '5.1', '5.14', '5.18']);
    expect(gfpEraIds(erasKnowingName('none'))).toHaveLength(15);
    expect(erasKnowingName('')).toBe((1 << gfpEras.length) - 1);
    expect(erasKnowingName('__GFP_BOGUS')).toBe(0);
  });

  test('when 4.x strings are observed then the candidates narrow step by step', () => {
    const g = new GfpEraGuess();
    g.observe('GFP_ATOMIC|__GFP_COLD|__GFP_COMP');
    expect(gfpEraIds(g.candidates())).toEqual(['4.6', '4.8', '4.10', '4.13', '4.14']);
    g.observe('GFP_TRANSHUGE_LIGHT');
    expect(gfpEraIds(g.candidates())).toEqual(['4.8', '4.10', '4.13', '4.14']);
    g.observe('GFP_KERNEL|__GFP_OTHER_NODE');
    expect(gfpEraIds(g.candidates())).toEqual(['4.8']);
  });

  test('when single flags are in bit order then only 6.15 is left; the old order leaves the older eras', () => {
    const a = new GfpEraGuess();
    a.observe('GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP');
    expect(gfpEraIds(a.candidates())).toEqual(['6.15']);
    const b = new GfpEraGuess();
    b.observe('GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO');
    expect(gfpEraIds(b.candidates())).toEqual(
      ['4.6', '4.8', '4.10', '4.13', '4.14', '4.15', '4.18', '5.1', '5.14', '5.18', '6.3', '6.4', '6.8', '6.10']);
    b.observe('GFP_NOWAIT'); // 6.8+: GFP_NOWAIT covers NOWARN, both print the same single name
    b.observe('GFP_ATOMIC|__GFP_NOWARN');
    expect(gfpEraIds(b.candidates())).toContain('6.10');
  });

  test('when 4.0-era names are observed then only 4.0 remains', () => {
    const g = new GfpEraGuess();
    g.observe('GFP_HIGHUSER_MOVABLE|GFP_ZERO');
    expect(gfpEraIds(g.candidates())).toEqual(['4.0', '4.4', '4.5']);
    g.observe('GFP_NOWAIT');
    expect(gfpEraIds(g.candidates())).toEqual(['4.0', '4.4', '4.5']);
    g.observe('GFP_KERNEL|GFP_NO_KSWAPD');
    expect(gfpEraIds(g.candidates())).toEqual(['4.0']);
  });

  test('when names are unknown to every era then each is reported once and the set is unchanged', () => {
    const g = new GfpEraGuess();
    g.observe('GFP_KERNEL|__GFP_BOGUS');
    g.observe('__GFP_BOGUS');
    g.observe('GFP_USER|__GFP_BOGUS|__GFP_OTHER');
    expect(g.unknownNames()).toEqual(['__GFP_BOGUS', '__GFP_OTHER']);
    expect(g.candidates()).toBe(erasKnowingName('GFP_USER') & erasKnowingName('GFP_KERNEL'));
  });
});

describe('unknown names (GfpParseError)', () => {
  test('when a name is unknown to every era then the error names it', () => {
    let err: unknown;
    try {
      parseGfpFlags('GFP_KERNEL|__GFP_BOGUS', '6.15');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GfpParseError);
    expect((err as GfpParseError).name).toBe('__GFP_BOGUS');
    expect((err as GfpParseError).message).toMatchInlineSnapshot(`"unknown gfp flag '__GFP_BOGUS'"`);
    expect((err as GfpParseError).era).toBeUndefined();
  });

  test('when a name belongs to another era then it is still an error, with the era asked for', () => {
    const err = (() => {
      try {
        return parseGfpFlags('GFP_ATOMIC|__GFP_ATOMIC', '6.15');
      } catch (e) {
        return e as GfpParseError;
      }
    })();
    expect(err).toBeInstanceOf(GfpParseError);
    expect((err as GfpParseError).name).toBe('__GFP_ATOMIC');
    expect((err as GfpParseError).era).toBe('6.15');
    expect(() => parseGfpFlags('GFP_ZERO', '6.15')).toThrow("unknown gfp flag 'GFP_ZERO'");
    expect(() => parseGfpFlags('', '6.15')).toThrow("unknown gfp flag ''");
  });
});

describe('translateGfp', () => {
  test('4.0 __GFP_WAIT becomes DIRECT_RECLAIM, and kswapd is woken unless __GFP_NO_KSWAPD', () => {
    expect(translateGfp(0xd0, '4.0', '6.15')).toEqual({ mask: 0xcc0, unmapped: [] }); // GFP_KERNEL
    expect(translateGfp(0x20, '4.0', '6.15')).toEqual({ mask: 0x820, unmapped: [] }); // GFP_ATOMIC
    // GFP_ATOMIC on 4.4–6.2 also needs __GFP_ATOMIC: "neither WAIT nor NO_KSWAPD" on 4.0
    expect(hex(translateGfp(0x20, '4.0', '4.8').mask)).toBe('0x2080020');
    // 4.0 GFP_TRANSHUGE (WAIT, NO_KSWAPD) is 6.18's GFP_TRANSHUGE|__GFP_NORETRY
    expect(formatGfpFlags(translateGfp(0x4352da, '4.0', '6.15').mask, '6.15')).toBe('GFP_TRANSHUGE|__GFP_NORETRY');
  });

  test('6.3+ GFP_ATOMIC regains __GFP_ATOMIC in 4.4–6.2; later eras lose it', () => {
    expect(hex(translateGfp(0x820, '6.15', '5.1').mask)).toBe('0xa20');
    expect(hex(translateGfp(0xa20, '5.1', '6.15').mask)).toBe('0x820');
    expect(hex(translateGfp(0xcc0, '6.15', '5.1').mask)).toBe('0xcc0'); // HIGH not set: no ATOMIC
  });

  test('4.4+ masks go back to 4.0: DIRECT_RECLAIM → WAIT, no KSWAPD_RECLAIM → NO_KSWAPD', () => {
    expect(translateGfp(0x140dca, '6.15', '4.0')).toEqual({ mask: 0x2c0da, unmapped: [] });
    // GFP_TRANSHUGE_LIGHT has no reclaim bits: 4.0 gets __GFP_NO_KSWAPD and no __GFP_WAIT (HIGHMEM|MOVABLE|IO|FS|
    // HARDWALL|COMP|NOMEMALLOC|NOWARN|NO_KSWAPD = 0x4342ca)
    expect(hex(translateGfp(gfpBit('GFP_TRANSHUGE_LIGHT', '6.15'), '6.15', '4.0').mask)).toBe('0x4342ca');
  });

  test('renamed flags keep their meaning and flags the target lacks are listed', () => {
    expect(hex(translateGfp(0x400, '4.10', '6.15').mask)).toBe('0x4000'); // REPEAT → RETRY_MAYFAIL
    expect(translateGfp(0x2084120, '4.8', '6.15')).toEqual({ mask: 0x40820, unmapped: ['__GFP_COLD'] });
    expect(translateGfp(0x1000cc0, '6.15', '6.8')).toEqual({ mask: 0xcc0, unmapped: ['__GFP_NO_OBJ_EXT'] });
    expect(translateGfp(0x200cc0, '4.14', '6.15').unmapped).toEqual(['0x200000']);
  });
});
