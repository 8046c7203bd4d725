/**
 * The text front end's shortcuts (src/trace/ftrace.ts): one-entry caches for event names and gfp_flags (by a slot
 * from length, middle and last byte) and task names (by pid slot), checked with Intern.matches four bytes at a time, the four-bytes-per-
 * read byte searches, and the kernel's fixed context columns read in place. A cache or a shortcut may only save
 * work: every line must decode exactly as without it.
 */
import { describe, expect, it } from 'vitest';
import { collect, snap } from './helpers.js';
import { LINE_EVENT, TextParser } from '../../src/trace/ftrace.js';
import { TraceEvent } from '../../src/trace/event.js';
import { EraSignals, eraForKernel } from '../../src/trace/era.js';

/** one ftrace line with `task-pid` right-aligned in 16 columns (not the kernel's `%16s-%-7d`: the general scan reads it) */
function line(task: string, pid: number, ts: string, event: string, fields: string): string {
  return `${`${task}-${pid}`.padStart(16)}     [001] ..... ${ts}: ${event}: ${fields}\n`;
}
function alloc(task: string, pid: number, ts: string, gfp: string): string {
  return line(task, pid, ts, 'mm_page_alloc', `page=00000000d1a2b3c4 pfn=0x1000 order=0 migratetype=0 gfp_flags=${gfp}`);
}

describe('TextParser one-entry caches', () => {
  it('when two event names of the same length alternate then each line counts under its own name', async () => {
    // mm_page_free, mm_vmscan_xx and mm_vmscan_xy are all 12 bytes; the last two differ in the last byte only
    const text = [
      line('bash', 10, '1.000001', 'mm_page_free', 'page=00000000d1a2b3c4 pfn=0x1000 order=0'),
      line('bash', 10, '1.000002', 'mm_vmscan_xx', 'nid=0'),
      line('bash', 10, '1.000003', 'mm_page_free', 'page=00000000d1a2b3c4 pfn=0x1001 order=0'),
      line('bash', 10, '1.000004', 'mm_vmscan_xy', 'nid=0'),
    ].join('');
    const { r, evs, errors } = await collect('-', {}, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => e.name)).toEqual(['mm_page_free', 'mm_vmscan_xx', 'mm_page_free', 'mm_vmscan_xy']);
    expect(Object.fromEntries(r.events)).toEqual({ mm_page_free: 2, mm_vmscan_xx: 1, mm_vmscan_xy: 1 });
  });

  it('when a pid changes its comm (exec) or two pids share a cache slot then each line keeps its own task', async () => {
    // pids 77 and 77 + 4096 share a slot of the 4096-entry pid cache; names differ in a whole word or the tail
    const text = [
      alloc('bash', 77, '1.000001', 'GFP_USER'),
      alloc('make', 77, '1.000002', 'GFP_USER'),
      alloc('make', 4173, '1.000003', 'GFP_USER'),
      alloc('make', 77, '1.000004', 'GFP_USER'),
      alloc('kworker/0:1', 77, '1.000005', 'GFP_USER'),
      alloc('kworker/0:2', 77, '1.000006', 'GFP_USER'),
      alloc('kworker/1:2', 77, '1.000007', 'GFP_USER'),
    ].join('');
    const { evs, errors } = await collect('-', {}, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => [e.task, e.pid])).toEqual([
      ['bash', 77], ['make', 77], ['make', 4173], ['make', 77], ['kworker/0:1', 77], ['kworker/0:2', 77], ['kworker/1:2', 77],
    ]);
  });

  it('when gfp strings of the same length alternate then each line keeps its own gfp_flags and mask', async () => {
    // GFP_USER / GFP_NOFS (8 bytes) and GFP_KERNEL / GFP_NOWAIT / GFP_ATOMIC (10 bytes): equal lengths
    const gfps = ['GFP_USER', 'GFP_NOFS', 'GFP_KERNEL', 'GFP_NOWAIT', 'GFP_ATOMIC', 'GFP_USER', 'GFP_KERNEL', 'GFP_NOFS'];
    const text = gfps.map((g, i) => alloc('bash', 10, `1.00000${i + 1}`, g)).join('');
    const { evs, masks, errors } = await collect('-', { traceKernel: '6.18' }, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => e.gfp)).toEqual(gfps);
    // same text, same mask; different text, different mask
    expect(masks[5]).toBe(masks[0]);
    expect(masks[6]).toBe(masks[2]);
    expect(new Set(masks.slice(0, 5)).size).toBe(5);
  });

  it('when text follows gfp_flags on a line then the cached gfp string is not taken for the whole rest', async () => {
    // the 16-byte rest `GFP_USER extra=1` must not match a cached 16-byte gfp string, and the value ends at the space
    const text = [
      alloc('bash', 10, '1.000001', 'GFP_DMA|GFP_USER'),
      alloc('bash', 10, '1.000002', 'GFP_USER'),
      alloc('bash', 10, '1.000003', 'GFP_USER extra=1'),
    ].join('');
    const { evs, errors } = await collect('-', { traceKernel: '6.18' }, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => e.gfp)).toEqual(['GFP_DMA|GFP_USER', 'GFP_USER', 'GFP_USER']);
  });

  it('when tokens start at every alignment then the word-wise searches find the same columns', async () => {
    // tasks of 1 to 9 bytes shift every later token by one byte: the `[`, `:`, `=` and space searches start at all
    // four offsets of a 32-bit word, and end with 0 to 3 bytes left for the byte-wise tail
    const tasks = ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghi'];
    const text = tasks.map((t, i) => line(t, 100 + i, `2.00000${i}`, 'mm_page_free', `page=00000000d1a2b3c4 pfn=0x${(0x2000 + i).toString(16)} order=${i % 3}`)).join('');
    const { evs, errors } = await collect('-', {}, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => [e.task, e.pid, e.pfn, e.order, e.ts])).toEqual(tasks.map((t, i) => [t, 100 + i, 0x2000 + i, i % 3, `2.00000${i}`]));
  });
});

describe('TextParser one-pass field values', () => {
  it('when page-event values are decimal, 0x/0X hex, negative or malformed then they decode as parseNumBytes does', async () => {
    const free = (i: number, fields: string): string => line('bash', 10, `3.00000${i}`, 'mm_page_free', `page=00000000d1a2b3c4 ${fields}`);
    const text = [
      free(1, 'pfn=0x1f order=0'), // hex → 31
      free(2, 'pfn=0X1F order=1'), // upper-case prefix and digits → 31
      free(3, 'pfn=31 order=2'), // decimal
      free(4, 'pfn=-1 order=0'), // -1 is a legal "no page"
      free(5, 'pfn=0x order=0'), // "0x" alone is not hex, and not decimal: bad pfn
      free(6, 'pfn=12a order=0'), // bad pfn
      free(7, 'pfn= order=0'), // empty: bad pfn
      free(8, 'pfn=0x10 order=-1'), // order out of range
      free(9, 'pfn=0x10   order=3'), // runs of spaces separate fields
    ].join('');
    const { evs, errors } = await collect('-', {}, text);
    // snap() leaves out fields equal to -1: the pfn=-1 line shows no pfn
    expect(evs.map((e) => [e.pfn, e.order])).toEqual([[31, 0], [31, 1], [31, 2], [undefined, 0], [16, 3]]);
    expect(errors.map((m) => m.replace(/: {2,}.*$/, '').replace(/: bash.*$/, ''))).toEqual([
      '<stdin>:5: mm_page_free: missing or bad pfn=',
      '<stdin>:6: mm_page_free: missing or bad pfn=',
      '<stdin>:7: mm_page_free: missing or bad pfn=',
      '<stdin>:8: mm_page_free: order -1 out of range 0..10 (NR_PAGE_ORDERS is 11)',
    ]);
  });
});

/** a 6.18 ftrace line in the kernel's own columns (kernel/trace/trace_output.c trace_print_context():
 *  `"%16s-%-7d "`, `"[%03d] "`, the irq flags, `" %5lu.%06lu: "`): the parser reads them in place */
function kline(comm: string, pid: number, cpu: number, flags: string, ts: string, rest: string): string {
  return `${comm.padStart(16)}-${String(pid).padEnd(7)} [${String(cpu).padStart(3, '0')}] ${flags} ${ts.padStart(12)}: ${rest}\n`;
}
/** the same line with its columns unpadded, which only the general scan reads */
function uline(comm: string, pid: number, cpu: number, flags: string, ts: string, rest: string): string {
  return `${comm}-${pid} [${cpu}] ${flags} ${ts}: ${rest}\n`;
}
const FREE = 'mm_page_free: page=00000000d1a2b3c4 pfn=0x1000 order=0';

describe('TextParser fixed columns', () => {
  const cases: [string, number, number, string][] = [
    ['bash', 77, 1, '.....'], ['Web Content', 4321, 0, 'd..3.'], ['kworker/u8:2', 1234567, 12, 'dNs1.'],
    ['<idle>', 0, 3, '.N...'], ['a-b', 5, 999, '....1'], ['systemd-journal', 301, 1, '.....'], ['x', 9, 0, '.....'],
  ];

  it('when lines have the kernel\'s columns then each decodes exactly as the general scan decodes it unpadded', async () => {
    const rest = 'mm_page_alloc: page=00000000d1a2b3c4 pfn=0x1000 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE';
    const fixed = await collect('-', {}, cases.map(([c, p, cpu, f], i) => kline(c, p, cpu, f, `1973.97204${i}`, rest)).join(''));
    const general = await collect('-', {}, cases.map(([c, p, cpu, f], i) => uline(c, p, cpu, f, `1973.97204${i}`, rest)).join(''));
    expect(fixed.errors).toEqual([]);
    expect(fixed.evs.map((e) => [e.task, e.pid, e.cpu, e.flags, e.time])).toEqual(
      cases.map(([c, p, cpu, f], i) => [c, p, cpu, f, Number(`1973.97204${i}`)]));
    const drop = (e: Record<string, unknown>) => ({ ...e, ts: undefined });
    expect(fixed.evs.map(drop)).toEqual(general.evs.map(drop));
  });

  it('when a pid execs or two pids share a cache slot then each fixed-column line keeps its own task', async () => {
    const seq: [string, number][] = [['bash', 77], ['make', 77], ['make', 4173], ['bash', 77], ['bash', 4173], ['kworker/0:1', 77], ['kworker/0:2', 77]];
    const { evs, errors } = await collect('-', {}, seq.map(([c, p], i) => kline(c, p, 1, '.....', `1.00000${i}`, FREE)).join(''));
    expect(errors).toEqual([]);
    expect(evs.map((e) => [e.task, e.pid])).toEqual(seq);
  });

  it('when a task name holds ` [N]` then the line is the general scan\'s error, also after a line of that pid', async () => {
    const text = kline('bash', 50, 1, '.....', '1.000001', FREE) + kline('x [7] y', 50, 1, '.....', '1.000002', FREE) +
      kline('x [7] y', 50, 1, '.....', '1.000003', FREE);
    const { evs, errors } = await collect('-', {}, text);
    expect(evs.map((e) => e.task)).toEqual(['bash']);
    expect(errors).toEqual([
      `<stdin>:2: cannot parse line: ${text.split('\n')[1]}`,
      `<stdin>:3: cannot parse line: ${text.split('\n')[2]}`,
    ]);
  });

  it('when a pid is wider than 7 digits, flags are 4 wide or a comment has the columns\' shape then the general scan reads it', async () => {
    const text = kline('big', 12345678, 1, '.....', '1.000001', FREE) + kline('old', 42, 1, 'd..3', '1.000002', FREE) +
      kline('#comment', 42, 1, '.....', '1.000003', FREE) + kline('bash', 42, 1, '.....', '1.000004', FREE);
    const { r, evs, errors } = await collect('-', {}, text);
    expect(errors).toEqual([]);
    expect(evs.map((e) => [e.task, e.pid, e.flags])).toEqual([['big', 12345678, '.....'], ['old', 42, 'd..3'], ['bash', 42, '.....']]);
    expect(r.lines).toBe(4);
  });
});

describe('TextParser kernelLayout', () => {
  /** each line parsed twice by one parser: as the real pass reads it (kernelLayout first) and with a first look's
   *  EraSignals set, which takes parsePageFields' general loop for every field (and reads the page pointer where the
   *  real pass skips 16 digits and a space: the lines below have no pointer followed by two spaces) */
  function both(lines: string[]): { fast: unknown[]; general: unknown[] } {
    const parser = new TextParser();
    parser.setEra(eraForKernel('6.18')!.gfpEra);
    const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
    const fast: unknown[] = [];
    const general: unknown[] = [];
    for (const text of lines) {
      const buf = Buffer.from(`${text}\n`);
      for (const [out, sig] of [[fast, null], [general, new EraSignals()]] as const) {
        parser.sig = sig;
        const r = parser.parse(buf, 0, buf.length - 1, ev);
        out.push(r === LINE_EVENT ? { ...snap(ev), gfpMask: ev.gfpMask } : [r, parser.error]);
      }
    }
    return { fast, general };
  }

  it('when page-event fields vary in form, order, spacing and presence then every line decodes as the general loop decodes it', () => {
    const head = (ev: string) => `            bash-4242    [001] .....  1000.000002: ${ev}: `;
    const fields = [
      // the kernel's own forms, each event
      'page=00000000deadbeef pfn=0x100026 order=0',
      'page=00000000deadbeef pfn=0x100026 order=3 migratetype=1',
      'page=00000000deadbeef pfn=0x1 order=0 migratetype=2 gfp_flags=GFP_KERNEL|__GFP_RECLAIMABLE',
      'page=00000000deadbeef pfn=0x500b90 order=0 migratetype=1 percpu_refill=1',
      'page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_NORETRY',
      'page=00000000deadbeef pfn=0xfffffffffffff order=0', 'page=00000000deadbeef pfn=0x1234abcd order=0',
      'page=00000000deadbeef pfn=0xabcdef012 order=0', 'page=00000000deadbeef pfn=0x12345 order=0',
      'page=00000000deadbeef pfn=0x1234abcd', 'page=00000000deadbeef pfn=0x12:4abcd order=0',
      'page=00000000deadbeef pfn=0x1234ab`d order=0', 'page=00000000deadbeef pfn=0x1234abgd order=0',
      'page=00000000deadbeef pfn=0xffffffffffffffff order=0',
      // forms the general loop takes over at some field
      'page=00000000deadbeef pfn=0X10 order=0', 'page=00000000deadbeef pfn=0x1F order=0',
      'page=00000000deadbeef pfn=0x order=0', 'page=00000000deadbeef pfn=0x12g order=0', 'page=00000000deadbeef pfn=4096 order=0',
      'page=00000000deadbeef pfn=-1 order=0', 'page=(null) pfn=0 order=0 migratetype=1 gfp_flags=GFP_KERNEL',
      'page=00000000deadbeef pfn=0x10  order=1  migratetype=2',
      'page=00000000deadbeef pfn=0x10 order=10', 'page=00000000deadbeef pfn=0x10 order=11', 'page=00000000deadbeef pfn=0x10 order=-1',
      'page=00000000deadbeef pfn=0x10 order=x', 'page=00000000deadbeef pfn=0x10 order=', 'page=00000000deadbeef pfn=0x10',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=12', 'page=00000000deadbeef pfn=0x10 order=0 migratetype=',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 percpu_refill=12',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 percpu_refill=1 extra=3',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 gfp_flags=GFP_KERNEL extra=3',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 gfp_flags=GFP_KERNEL',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 gfp_flags=GFP_NOWAIT',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 gfp_flags=GFP_BOGUS',
      'page=00000000deadbeef pfn=0x10 order=0 migratetype=1 gfp_flags=',
      'page=00000000deadbeef pfn=0x10 order=0 cold=1', 'page=00000000deadbeef pfn=0x10 migratetype=1 order=0',
      'pfn=0x10 order=0', 'page=00000000deadbee pfn=0x10 order=0', 'page=00000000deadbeef order=0',
      'page=00000000deadbeef pfn=0x10 alloc_order=0 fallback_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0',
    ];
    const events = ['mm_page_alloc', 'mm_page_free', 'mm_page_free_batched', 'mm_page_alloc_zone_locked', 'mm_page_pcpu_drain',
      'mm_page_alloc_extfrag'];
    const lines = events.flatMap((ev) => fields.map((f) => head(ev) + f));
    // twice: the second time the gfp cache holds every string
    const { fast, general } = both([...lines, ...lines]);
    expect(fast).toEqual(general);
    // the cases above reach every field of the fast path and its hand-overs
    expect(fast.filter((r) => !Array.isArray(r)).length).toBeGreaterThan(100);
    expect(fast.filter((r) => Array.isArray(r)).length).toBeGreaterThan(100);
  });
});

describe('TextParser timestamp', () => {
  it('when the seconds have four or five digits (read as a word and a byte) or any other count then time is as the digits say', async () => {
    const secs = ['0', '1', '12', '123', '1234', '9999', '10000', '99999', '123456', '1234567', '00001000'];
    const text = secs.map((t) => kline('bash', 77, 1, '.....', `${t}.000001`, FREE)).join('') +
      kline('bash', 77, 1, '.....', '1234', FREE) + kline('bash', 77, 1, '.....', '12345', FREE) + kline('bash', 77, 1, '.....', '12a4.000001', FREE);
    const { evs, errors } = await collect('-', {}, text);
    expect(evs.map((e) => e.time)).toEqual([...secs.map((t) => Number(t) + 1 / 1e6), 1234, 12345]);
    expect(errors.map((m) => m.slice(0, 35))).toEqual(['<stdin>:14: cannot parse line:     ']);
  });

  it('when the fraction has six digits (read as two words) or any other count then time is integer + fraction / 10^digits', async () => {
    const fracs = ['000002', '999999', '123456', '090807', '000000', '5', '12345', '1234567', '000000009', ''];
    const text = fracs.map((f, i) => kline('bash', 77, 1, '.....', `${1000 + i}.${f}`, FREE)).join('') +
      kline('bash', 77, 1, '.....', '1.12a456', FREE) + kline('bash', 77, 1, '.....', '1.123456x', FREE);
    const { evs, errors } = await collect('-', {}, text);
    expect(evs.map((e) => e.time)).toEqual(fracs.map((f, i) => 1000 + i + (f === '' ? 0 : Number(f) / 10 ** f.length)));
    expect(errors.map((m) => m.slice(0, 35))).toEqual(['<stdin>:11: cannot parse line:     ', '<stdin>:12: cannot parse line:     ']);
  });
});
