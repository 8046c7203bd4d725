/**
 * Text front end for the three shapes the kernel's tracing text takes:
 *  - ftrace (tracefs `trace` / `trace_pipe`, kernel/trace/trace_output.c): `TASK-PID [CPU] FLAGS TS: EVENT: FIELDS`,
 *    optional `(TGID)` column (record-tgid), FLAGS of 4 (≤5.12) or 5 (5.13+) characters or absent (irq-info off),
 *    TS with a dot or a raw counter (counter / x86-tsc clocks);
 *  - trace-cmd report: `cpus=N` first, no FLAGS column, the fields padded after `EVENT:`;
 *  - perf script: `COMM PID [CPU] TS: SYSTEM:EVENT: FIELDS` (space between comm and pid, system prefix).
 * TASK may hold spaces, dashes and slashes: the pid is the last run of digits before the `[CPU]` column.
 *
 * Byte-level: the event name is interned from its bytes, and only the page events' fields are decoded, straight
 * from bytes; nothing is allocated for a line of a page event whose task and gfp strings were seen before.
 * Page event formats: include/trace/events/kmem.h (v4.0 … v6.18; pfn decimal ≤5.13, `0x%lx` after).
 */
import {
  EV_MM_PAGE_ALLOC, EV_MM_PAGE_ALLOC_EXTFRAG, EV_MM_PAGE_ALLOC_ZONE_LOCKED, EV_MM_PAGE_FREE,
  EV_MM_PAGE_FREE_BATCHED, EV_MM_PAGE_PCPU_DRAIN, EV_MM_SETUP_PER_ZONE_WMARKS,
  EV_MM_CALCULATE_TOTALRESERVE_PAGES, EV_OTHER, eventId, eventSystem, isPageEvent, orderRangeMessage,
  TRACE_NR_PAGE_ORDERS, type TraceEvent,
} from './event.js';
import { parseFieldList } from './fields.js';
import { Intern } from './intern.js';
import type { EraSignals } from './era.js';
import { GfpParseError, parseGfpFlags } from '../mm/gfp.js';


/** parse() results */
export const LINE_EVENT = 0;
export const LINE_IGNORED = 1;
export const LINE_ERROR = 2;

const SP = 32;
/** 10^n, exact as doubles up to 10^22 (a timestamp's fraction is divided by 10^digits, as before by a product of tens) */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, n) => 10 ** n);
/** sizes of the parser's one-entry lookup caches: token slots, pid slots */
const TOKEN_CACHE = 1024;
const PID_CACHE = 4096;
/** log2 of the fixed columns' task cache slots */
const COMM_CACHE_BITS = 12;

/**
 * cache slot of a token buf[s, e) (e > s): its length, middle and last byte, so that the gfp strings of one length
 * (GFP_KERNEL, GFP_NOWAIT, GFP_ATOMIC) mostly get slots of their own; a collision costs a hash, never a wrong id
 */
function tokenSlot(buf: Buffer, s: number, e: number): number {
  const len = e - s;
  return ((len << 4) ^ buf[s + (len >> 1)]! ^ (buf[e - 1]! << 2)) & (TOKEN_CACHE - 1);
}
const TAB = 9;
/** slots of the name-by-word cache */
const NAME_WORDS = 64;
/** words kept per name-word slot: names of up to 32 bytes (longer ones, such as mm_compaction_fast_isolate_freepages, take the scan) */
const NAME_WORD_MAX = 8;
function nameWordSlot(w: number): number {
  return (w ^ (w >>> 13)) & (NAME_WORDS - 1);
}

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }

/*
 * Byte search four bytes per read. A typed-array read costs V8 about as much as four byte compares, so the scans
 * over the long tokens (task, event name, field keys and values) read little-endian 32-bit words and test all four
 * bytes at once: with x = word ^ (the byte repeated), (x - 0x01010101) & ~x & 0x80808080 is non-zero iff a byte of
 * x is zero, and its lowest set bit marks the first such byte (a borrow only sets false bits above a true one).
 */
const REP_SP = 0x20202020;
const REP_EQ = 0x3d3d3d3d;
const REP_COLON = 0x3a3a3a3a;
const REP_BRACKET = 0x5b5b5b5b;
/** 'page', 'pfn=', 'orde' as little-endian words */
const W_PAGE = 0x65676170;
const W_PFN_EQ = 0x3d6e6670;
const W_ORDE = 0x6564726f;
/** 'migr' 'atet' 'ype=' and 'gfp_' 'flag' */
const W_MIGR = 0x7267696d;
const W_ATET = 0x74657461;
const W_YPE_EQ = 0x3d657079;
const W_GFP_ = 0x5f706667;
const W_FLAG = 0x67616c66;
/** 'perc' 'pu_r' 'efil' */
const W_PERC = 0x63726570;
const W_PU_R = 0x725f7570;
const W_EFIL = 0x6c696665;

/** offset of the first zero byte flagged in m (m !== 0) */
function firstFlagged(m: number): number {
  return (31 - Math.clz32(m & -m)) >> 3;
}

/** index of the first byte c (rep = c repeated four times) in buf[from, to), or `to` */
function findByte(buf: Buffer, dv: DataView, from: number, to: number, rep: number, c: number): number {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const x = dv.getInt32(i, true) ^ rep;
    const m = (x - 0x01010101) & ~x & 0x80808080;
    if (m !== 0) return i + firstFlagged(m);
  }
  while (i < to && buf[i] !== c) i++;
  return i;
}

/** index of the first byte c1 or c2 in buf[from, to), or `to` */
function findByte2(buf: Buffer, dv: DataView, from: number, to: number, rep1: number, c1: number, rep2: number, c2: number): number {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const v = dv.getInt32(i, true);
    const x = v ^ rep1;
    const y = v ^ rep2;
    const m = ((x - 0x01010101) & ~x & 0x80808080) | ((y - 0x01010101) & ~y & 0x80808080);
    if (m !== 0) return i + firstFlagged(m);
  }
  for (; i < to; i++) { const c = buf[i]; if (c === c1 || c === c2) break; }
  return i;
}

/** whether the four bytes of a word are all ASCII digits (0x30..0x39: high nibble 3, and still 3 after adding 6) */
function isDigits4(w: number): boolean {
  return (w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/** the number four ASCII digits in a word spell (the first in the low byte) */
function digits4(w: number): number {
  // digit pairs: bytes 0 and 2 of p hold d0·10+d1 and d2·10+d3
  const d = w & 0x0f0f0f0f;
  const p = Math.imul(d, 10) + (d >>> 8);
  return (p & 0xff) * 100 + ((p >>> 16) & 0xff);
}

/**
 * The number four lower-case hex digits in a word spell (the first in the low byte), or -1 when a byte is no such
 * digit. Per byte: L = bit 6 (set for a..f), nibble = low four bits + 9·L; a digit has high nibble 3 and nibble ≤ 9,
 * a letter high nibble 6 and nibble 10..15 (a nibble ≤ 9 plus 6 stays below 16, 10..15 plus 6 does not).
 */
function hex4(w: number): number {
  const l = (w >>> 6) & 0x01010101;
  const n = (w & 0x0f0f0f0f) + Math.imul(l, 9);
  if ((w & 0xf0f0f0f0) !== 0x30303030 + Math.imul(l, 0x30) || (n & 0x10101010) !== 0 || ((n + 0x06060606) & 0x10101010) !== l << 4) return -1;
  // nibble pairs: bytes 0 and 2 of p hold n0·16+n1 and n2·16+n3
  const p = ((n << 4) | (n >>> 8)) & 0x00ff00ff;
  return ((p & 0xff) << 8) | (p >>> 16);
}

/** whether a word holds the byte of `rep` (the byte repeated four times) */
function hasByte(w: number, rep: number): boolean {
  const x = w ^ rep;
  return ((x - 0x01010101) & ~x & 0x80808080) !== 0;
}

/**
 * The cpu when the line at s has the kernel's own context columns after the pid (kernel/trace/trace_output.c
 * trace_print_context() as v6.18 prints them: `"%16s-%-7d "`, `"[%03d] "`, five irq-flag characters and a space; the
 * caller checked the `-` at s + 16), else -1: ` [` at s + 24, three cpu digits and `] `, flags that hold no space
 * and start with no digit; fixedPid reads the pid's column. The general scan finds the same columns on such a line
 * when the task's columns hold no `[` (the caller checks). Any other shape (record-tgid, 4-character or no flags,
 * trace-cmd, perf, 1000+ cpus) takes that scan.
 */
function fixedContext(buf: Buffer, dv: DataView, s: number): number {
  // bytes 24..31: ` [` c0 c1 | c2 `] ` f0
  const a = dv.getInt32(s + 24, true);
  const b = dv.getInt32(s + 28, true);
  if ((a & 0xffff) !== 0x5b20 || (b & 0xffff00) !== 0x205d00 || buf[s + 36] !== SP) return -1;
  const d = (a >>> 16) | ((b & 0xff) << 16);
  if ((d & 0xf0f0f0) !== 0x303030 || ((d + 0x060606) & 0xf0f0f0) !== 0x303030) return -1;
  const f0 = b >>> 24;
  if (f0 === SP || (f0 >= 48 && f0 <= 57) || hasByte(dv.getInt32(s + 32, true), REP_SP)) return -1;
  return (d & 0xff) * 100 + ((d >>> 8) & 0xff) * 10 + (d >>> 16) - 48 * 111;
}

/** the pid of a line of fixedContext's shape: its digits, then spaces up to s + 24; else -1 */
function fixedPid(buf: Buffer, s: number): number {
  let i = s + 17;
  let c = buf[i]!;
  if (c < 48 || c > 57) return -1;
  let pid = 0;
  do { pid = pid * 10 + (c - 48); c = buf[++i]!; } while (c >= 48 && c <= 57);
  while (c === SP && i < s + 24) c = buf[++i]!;
  return i === s + 24 ? pid : -1;
}

/** slot of the fixed columns' task cache for the words of bytes 16..23 (`-`, the pid's column) */
function commSlot(w4: number, w5: number): number {
  return Math.imul(w4 ^ Math.imul(w5, 0x9e3779b1), 0x85ebca6b) >>> (32 - COMM_CACHE_BITS);
}

/** printable excerpt of a bad line for messages (non-printable bytes as \xNN, at most 120 characters) */
export function excerpt(buf: Buffer, s: number, e: number): string {
  let out = '';
  const end = Math.min(e, s + 120);
  for (let i = s; i < end; i++) {
    const c = buf[i]!;
    out += c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  if (end < e) out += '…';
  return out;
}

/** a number from bytes: decimal (optionally negative) or 0x-hex; NaN if anything else */
export function parseNumBytes(buf: Buffer, s: number, e: number): number {
  if (s >= e) return NaN;
  let neg = false;
  if (buf[s] === 45 /* - */) { neg = true; s++; if (s >= e) return NaN; }
  let v = 0;
  if (e - s > 2 && buf[s] === 48 && (buf[s + 1] === 120 || buf[s + 1] === 88)) {
    for (let i = s + 2; i < e; i++) {
      const c = buf[i]!;
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return NaN;
      v = v * 16 + d;
    }
  } else {
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) return NaN;
      v = v * 10 + (c - 48);
    }
  }
  return neg ? -v : v;
}

/** pfn as printed; `-1` and values ≥ 2^52 (an unsigned -1, 0xffffffffffffffff) become -1 */
function normPfn(v: number): number {
  return v >= 4503599627370496 ? -1 : v;
}

export class TextParser {
  readonly names = new Intern('latin1');
  readonly tasks = new Intern('utf8');
  readonly gfps = new Intern('latin1');
  private readonly systems = new Intern('latin1');
  /** EV_* per event-name intern id */
  private evByName = new Int32Array(64).fill(-1);
  /** one-entry lookup caches (checked with Intern.matches): name id by tokenSlot, task id and pid by pid slot,
   *  gfp id by tokenSlot */
  private readonly nameBySlot = new Int32Array(TOKEN_CACHE).fill(-1);
  /** by nameWordSlot() of a name's bytes 10..13: the name's length (0: none), its words (see nameWordsMatch),
   *  name id and EV_* id */
  private readonly nameWordLen = new Int32Array(NAME_WORDS);
  private readonly nameWords = new Int32Array(NAME_WORDS * NAME_WORD_MAX);
  private readonly nameByWord = new Int32Array(NAME_WORDS);
  private readonly evByWord = new Int32Array(NAME_WORDS);
  private readonly taskByPid = new Int32Array(PID_CACHE).fill(-1);
  private readonly taskPid = new Int32Array(PID_CACHE).fill(-1);
  /** the fixed columns' task cache: per commSlot, the 16 task columns and the pid's 8 as six words (at 6·slot; no
   *  line's are all zero, since byte 16 is `-`), the pid and the task id */
  private readonly commWords = new Int32Array(6 << COMM_CACHE_BITS);
  private readonly commPid = new Int32Array(1 << COMM_CACHE_BITS);
  private readonly commTask = new Int32Array(1 << COMM_CACHE_BITS);
  private readonly gfpBySlot = new Int32Array(TOKEN_CACHE).fill(-1);
  /** gfp mask per gfp intern id and era; -2 = not computed, -3 = unknown name */
  private gfpMaskById = new Float64Array(64).fill(-2);
  private gfpErrById: string[] = [];
  /** gfp era used to decode gfp_flags; '' = do not decode (first look) */
  gfpEra = '';
  /** collects era signals when set (first look) */
  sig: EraSignals | null = null;
  /** what the first look saw */
  sawTraceCmdHeader = false;
  sawPerfShape = false;
  /** message of the last LINE_ERROR */
  error = '';
  /** ring-buffer overrun notices seen (`CPU:N [LOST n EVENTS]`, `CPU:N [n EVENTS DROPPED]`) and the events they
   *  say were lost (a notice without a count adds none) */
  lostNotices = 0;
  lostEvents = 0;

  /** a DataView of the current input buffer (made once per chunk) */
  private dvBuf: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private viewOf(buf: Buffer): DataView {
    if (buf !== this.dvBuf) {
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
      this.dvBuf = buf;
    }
    return this.dv;
  }

  /** clears cached masks when the era changes */
  setEra(era: string): void {
    this.gfpEra = era;
    this.gfpMaskById.fill(-2);
    this.gfpErrById = [];
  }

  /** parses buf[s, e) (no newline) into ev; returns LINE_EVENT, LINE_IGNORED or LINE_ERROR (see .error) */
  parse(buf: Buffer, s: number, e: number, ev: TraceEvent): number {
    while (e > s && (buf[e - 1] === 13 || buf[e - 1] === SP || buf[e - 1] === TAB)) e--;
    let p = s;
    const dv = this.viewOf(buf);
    let te = 0;
    let pid = -1;
    let cpu = 0;
    let tgid = -1;
    let fs = 0;
    let fe = 0;
    let q = 0;
    /** the task id when the fixed columns' pid cache knew the line's 16 task columns */
    let taskId = -1;
    let fixed = false;
    let fixedCpu = -1;
    if (e - s > 40 && buf[s + 16] === 45 /* - */ && (fixedCpu = fixedContext(buf, dv, s)) >= 0) {
      // the kernel's own columns (see fixedContext), read in place. The task's 16 columns and the pid's 8, as six
      // words, are known by their cache slot (a line of the same task and pid); a miss reads the pid and checks the
      // task's columns for a `[` (the general scan would stop there) and a comment
      const w0 = dv.getInt32(s, true);
      const w1 = dv.getInt32(s + 4, true);
      const w2 = dv.getInt32(s + 8, true);
      const w3 = dv.getInt32(s + 12, true);
      const w4 = dv.getInt32(s + 16, true);
      const w5 = dv.getInt32(s + 20, true);
      const slot = commSlot(w4, w5);
      const cw = this.commWords;
      const wi = slot * 6;
      if (cw[wi] === w0 && cw[wi + 1] === w1 && cw[wi + 2] === w2 && cw[wi + 3] === w3 && cw[wi + 4] === w4 && cw[wi + 5] === w5) {
        pid = this.commPid[slot]!;
        taskId = this.commTask[slot]!;
      } else if ((pid = fixedPid(buf, s)) >= 0) {
        if (hasByte(w0, REP_BRACKET) || hasByte(w1, REP_BRACKET) || hasByte(w2, REP_BRACKET) || hasByte(w3, REP_BRACKET)) {
          pid = -1;
        } else {
          while (dv.getInt32(p, true) === REP_SP) p += 4;
          while (buf[p] === SP || buf[p] === TAB) p++;
          if (buf[p] === 35 /* # */) return LINE_IGNORED;
          te = s + 16;
          while (te > p && buf[te - 1] === SP) te--;
        }
      }
      if (pid >= 0) {
        fixed = true;
        cpu = fixedCpu;
        fs = s + 31;
        fe = s + 36;
        q = s + 37;
        while (q < e && buf[q] === SP) q++;
      }
    }
    if (pid < 0) {

      // ftrace right-aligns the task in 16 columns (kernel/trace/trace_output.c trace_print_context() `"%16s-%-7d "`,
      // `%-5d` in older kernels): most lines start with a run of spaces, skipped four a read
      while (p + 4 <= e && dv.getInt32(p, true) === REP_SP) p += 4;
      while (p < e && (buf[p] === SP || buf[p] === TAB)) p++;
      if (p >= e) return LINE_IGNORED;
      const c0 = buf[p]!;
      if (c0 === 35 /* # */) return LINE_IGNORED;
      // trace-cmd report's preamble: `cpus=N`, `version = N`, `CPU N is empty`
      if (c0 === 99 /* c */ && e - p > 5 && buf[p + 4] === 61 && buf.toString('latin1', p, p + 5) === 'cpus=') { this.sawTraceCmdHeader = true; return LINE_IGNORED; }
      if (c0 === 118 /* v */ && buf[p + 8] === 61 && buf.toString('latin1', p, Math.min(e, p + 10)) === 'version = ') { this.sawTraceCmdHeader = true; return LINE_IGNORED; }
      if (c0 === 67 /* C */ && buf[p + 1] === 80 && buf[p + 3] === SP && buf.toString('latin1', e - 8, e) === 'is empty') return LINE_IGNORED;
      if (c0 === 67 /* C */ && buf[p + 1] === 80 && buf[p + 2] === 85 && buf[p + 3] === 58 /* CPU: */ && this.lostNotice(buf, p, e)) return LINE_IGNORED;

      // the [CPU] column: the first ` [digits]`
      let b = p;
      for (;;) {
        b = findByte(buf, dv, b, e, REP_BRACKET, 91 /* [ */);
        if (b >= e) return this.fail('cannot parse line', buf, s, e);
        if (b > p && buf[b - 1] === SP) {
          q = b + 1;
          cpu = 0;
          let c = buf[q]!;
          while (c >= 48 && c <= 57 && q < e) { cpu = cpu * 10 + (c - 48); c = buf[++q]!; }
          if (q > b + 1 && q < e && c === 93 /* ] */) break;
        }
        b++;
      }
      const afterCpu = q + 1;

      // task, pid, optional (tgid)
      let t = b - 1;
      while (t > p && buf[t - 1] === SP) t--;
      if (buf[t - 1] === 41 /* ) */) {
        const open = buf.lastIndexOf(40 /* ( */, t - 1);
        if (open < p) return this.fail('cannot parse line', buf, s, e);
        let a = open + 1;
        while (buf[a] === SP) a++;
        const v = parseNumBytes(buf, a, t - 1);
        tgid = Number.isNaN(v) ? -1 : v;
        t = open;
        while (t > p && buf[t - 1] === SP) t--;
      }
      // the pid's digits, read backwards
      let d = t;
      pid = 0;
      let mul = 1;
      for (let c = buf[d - 1]!; d > p && c >= 48 && c <= 57; c = buf[--d - 1]!) { pid += (c - 48) * mul; mul *= 10; }
      if (d === t || d === p) return this.fail('cannot parse line', buf, s, e);
      const sep = buf[d - 1];
      if (sep !== 45 /* - */ && sep !== SP) return this.fail('cannot parse line', buf, s, e);
      if (sep === SP) this.sawPerfShape = true;
      te = d - 1;
      while (te > p && buf[te - 1] === SP) te--;

      // flags column (absent when the next token starts with a digit: the timestamp)
      q = afterCpu;
      while (q < e && buf[q] === SP) q++;
      fs = q;
      fe = q;
      if (q < e && !isDigit(buf[q]!)) {
        while (q < e && buf[q] !== SP) q++;
        fe = q;
        while (q < e && buf[q] === SP) q++;
      }
    }
    // timestamp: digits [. digits] ':'
    const ts = q;
    let ip = 0;
    let c = 0;
    // seconds of four or five digits (1,000 s to 27 h of uptime) as a word and a byte
    const iw = q + 6 <= e ? dv.getInt32(q, true) : 0;
    if (isDigits4(iw) && ((c = buf[q + 4]!) === 46 || (c >= 48 && c <= 57 && buf[q + 5] === 46))) {
      ip = digits4(iw);
      q += 4;
      if (c !== 46) { ip = ip * 10 + (c - 48); c = buf[++q]!; }
    } else {
      c = buf[q]!;
      while (c >= 48 && c <= 57 && q < e) { ip = ip * 10 + (c - 48); c = buf[++q]!; }
    }
    let time = ip;
    if (c === 46 /* . */ && q < e) {
      const f0 = ++q;
      let frac = 0;
      // the kernel's `%06lu:` (kernel/trace/trace_output.c lat_print_timestamp()/trace_print_context(), ns clocks)
      // as two words: six digits, then the colon
      const a = f0 + 8 <= e ? dv.getInt32(f0, true) : 0;
      const b = a !== 0 ? dv.getInt32(f0 + 4, true) : 0;
      if (((b >>> 16) & 0xff) === 58 && isDigits4(a) && isDigits4((b & 0xffff) | 0x30300000)) {
        frac = digits4(a) * 100 + (b & 0x0f) * 10 + ((b >>> 8) & 0x0f);
        q = f0 + 6;
        c = 58;
      } else {
        c = buf[q]!;
        while (c >= 48 && c <= 57 && q < e) { frac = frac * 10 + (c - 48); c = buf[++q]!; }
      }
      const nd = q - f0;
      time = ip + frac / (nd < POW10.length ? POW10[nd]! : 10 ** nd);
    }
    if (q === ts || q >= e || buf[q] !== 58 /* : */) return this.fail('cannot parse line', buf, s, e);
    const tse = q;
    q++;
    while (q < e && buf[q] === SP) q++;
    // event name, with an optional `system:` prefix (perf)
    const names = this.names;
    let ns = q;
    let sysS = -1;
    let sysE = -1;
    let nameId = -1;
    let id = -1;
    // a name seen before is known by its bytes 10..13 (`oc: `, `oc_z`, `ee: `, `ee_b` for the page events) and then
    // confirmed by the words the slot keeps, followed by `: `, before any scan
    const wordSlot = q + 14 <= e ? nameWordSlot(dv.getInt32(q + 10, true)) : -1;
    if (wordSlot >= 0) {
      const len = this.nameWordLen[wordSlot]!;
      const ne = q + len;
      if (len !== 0 && ne + 1 < e && buf[ne] === 58 && buf[ne + 1] === SP && this.nameWordsMatch(dv, wordSlot, q, len)) {
        nameId = this.nameByWord[wordSlot]!;
        id = this.evByWord[wordSlot]!;
        q = ne;
      }
    }
    if (nameId < 0) {
      for (;;) {
        let c = 0;
        q = findByte2(buf, dv, q, e, REP_COLON, 58, REP_SP, SP);
        if (q < e) c = buf[q]!;
        if (q >= e || c !== 58 || q === ns) return this.fail('cannot parse line', buf, s, e);
        if (q + 1 < e && buf[q + 1] !== SP && sysS < 0) { sysS = ns; sysE = q; q++; ns = q; continue; }
        break;
      }
      // the last name seen in the name's cache slot is checked before hashing
      const nslot = tokenSlot(buf, ns, q);
      nameId = this.nameBySlot[nslot]!;
      if (nameId < 0 || !names.matches(nameId, buf, dv, ns, q)) {
        nameId = names.idOfBytes(buf, ns, q);
        this.nameBySlot[nslot] = nameId;
      }
      if (nameId >= this.evByName.length) {
        const a = new Int32Array(this.evByName.length * 2).fill(-1);
        a.set(this.evByName);
        this.evByName = a;
      }
      id = this.evByName[nameId]!;
      if (id < 0) { id = eventId(this.names.str(nameId)); this.evByName[nameId] = id; }
      if (ns + 14 <= e) this.rememberName(dv, ns, q - ns, nameId, id);
    }
    q++;
    while (q < e && buf[q] === SP) q++;

    // every header field is written below
    ev.resetFields();
    ev.buf = buf;
    ev.id = id;
    ev.nameId = nameId;
    ev.system = id !== EV_OTHER ? eventSystem(id) : sysS >= 0 ? this.systems.str(this.systems.idOfBytes(buf, sysS, sysE)) : '';
    // the task name of a pid changes only at exec (comm): the pid's last name is checked before hashing
    if (taskId < 0) {
      const slot = pid & (PID_CACHE - 1);
      taskId = this.taskByPid[slot]!;
      if (taskId < 0 || this.taskPid[slot] !== pid || !this.tasks.matches(taskId, buf, dv, p, te)) {
        taskId = this.tasks.idOfBytes(buf, p, te);
        this.taskByPid[slot] = taskId;
        this.taskPid[slot] = pid;
      }
      if (fixed) this.rememberComm(dv, s, pid, taskId);
    }
    ev.taskId = taskId;
    ev.pid = pid;
    ev.tgid = tgid;
    ev.cpu = cpu;
    ev.time = time;
    ev.flagsStr = null; ev.flagsStart = fs; ev.flagsEnd = fe;
    ev.tsStr = null; ev.tsStart = ts; ev.tsEnd = tse;
    ev.restStr = null; ev.restStart = q; ev.restEnd = e;

    const sig = this.sig;
    if (sig !== null) {
      const fl = fe - fs;
      if (fl === 5) sig.atLeast(513, 'irq-flags column of 5 characters (5.13+)');
      else if (fl === 4) sig.atMost(512, 'irq-flags column of 4 characters (≤5.12)');
      if (id >= EV_MM_SETUP_PER_ZONE_WMARKS && id <= EV_MM_CALCULATE_TOTALRESERVE_PAGES) sig.atLeast(615, `${this.names.str(nameId)} (6.15+)`);
    }
    if (isPageEvent(id)) return this.parsePageFields(buf, q, e, ev, s);
    if (id !== EV_OTHER) {
      if (!parseFieldList(buf.toString('utf8', q, e), ev)) return this.fail(`cannot parse ${this.names.str(nameId)}`, buf, s, e);
    }
    return LINE_EVENT;
  }

  /** whether the name of word slot `slot` (`len` bytes) is at q: its words at q, q + 4, … and the last one at
   *  q + len - 4 (overlapping the one before) */
  private nameWordsMatch(dv: DataView, slot: number, q: number, len: number): boolean {
    const ws = this.nameWords;
    let k = slot * NAME_WORD_MAX;
    const last = q + len - 4;
    for (let i = q; i < last; i += 4) if (dv.getInt32(i, true) !== ws[k++]) return false;
    return dv.getInt32(last, true) === ws[k];
  }

  /** the name at ns (`len` bytes, name id and EV_* id) takes the slot of its bytes 10..13, when its words fit */
  private rememberName(dv: DataView, ns: number, len: number, nameId: number, id: number): void {
    const slot = nameWordSlot(dv.getInt32(ns + 10, true));
    if (len < 4 || len > 4 * NAME_WORD_MAX) { this.nameWordLen[slot] = 0; return; }
    const ws = this.nameWords;
    let k = slot * NAME_WORD_MAX;
    const last = ns + len - 4;
    for (let i = ns; i < last; i += 4) ws[k++] = dv.getInt32(i, true);
    ws[k] = dv.getInt32(last, true);
    this.nameWordLen[slot] = len;
    this.nameByWord[slot] = nameId;
    this.evByWord[slot] = id;
  }

  /** a line of fixed columns (fixedContext) had pid `pid` and task `taskId`: its 16 task columns and the pid's 8
   *  are remembered */
  private rememberComm(dv: DataView, s: number, pid: number, taskId: number): void {
    const w4 = dv.getInt32(s + 16, true);
    const w5 = dv.getInt32(s + 20, true);
    const slot = commSlot(w4, w5);
    const cw = this.commWords;
    const wi = slot * 6;
    cw[wi] = dv.getInt32(s, true);
    cw[wi + 1] = dv.getInt32(s + 4, true);
    cw[wi + 2] = dv.getInt32(s + 8, true);
    cw[wi + 3] = dv.getInt32(s + 12, true);
    cw[wi + 4] = w4;
    cw[wi + 5] = w5;
    this.commPid[slot] = pid;
    this.commTask[slot] = taskId;
  }

  /**
   * A ring-buffer overrun notice in place of events: tracefs prints `CPU:%d [LOST %lu EVENTS]`
   * (kernel/trace/trace.c print_trace_line, v4.0 … v6.18), trace-cmd report `CPU:%d [%lld EVENTS DROPPED]` or
   * `CPU:%d [EVENTS DROPPED]`. Counted (lostNotices, lostEvents), never an unparsed line.
   */
  private lostNotice(buf: Buffer, p: number, e: number): boolean {
    const m = /^CPU:\d+ \[(?:LOST (\d+) EVENTS|(\d+) EVENTS DROPPED|EVENTS DROPPED)\]$/.exec(buf.toString('latin1', p, e));
    if (m === null) return false;
    this.lostNotices++;
    this.lostEvents += Number(m[1] ?? m[2] ?? 0);
    return true;
  }

  private fail(msg: string, buf: Buffer, s: number, e: number): number {
    this.error = `${msg}: ${excerpt(buf, s, e)}`;
    return LINE_ERROR;
  }

  /** the kmem page events' `key=value` fields, decoded from bytes */
  private parsePageFields(buf: Buffer, q: number, e: number, ev: TraceEvent, s: number): number {
    const id = ev.id;
    const dv = this.viewOf(buf);
    let hexPfn = false;
    let nullPage = 0; // 1 "(null)", 2 all zeros
    let gs = -1;
    let ge = -1;
    let seen = 0; // 1 pfn, 2 order, 4 migratetype
    let gfpId = -1; // set when the gfp cache matched
    if (this.sig === null) {
      q = this.kernelLayout(buf, dv, q, e, ev);
      const fast = this.fastSeen;
      seen = fast & 7;
      if ((fast & 8) !== 0) { gfpId = this.fastGfp; gs = this.fastGfpStart; ge = e; }
    }
    while (q < e) {
      const ks = q;
      // the keys of mm_page_alloc (include/trace/events/kmem.h: page, pfn, order, migratetype, gfp_flags) are known
      // by word reads; other keys by a scan
      const w = q + 6 < e ? dv.getInt32(q, true) : 0;
      if (w === W_PAGE && buf[q + 4] === 61) q += 4;
      else if (w === W_PFN_EQ) q += 3;
      else if (w === W_ORDE && buf[q + 4] === 114 && buf[q + 5] === 61) q += 5;
      else if (w === W_MIGR && q + 12 < e && dv.getInt32(q + 4, true) === W_ATET && dv.getInt32(q + 8, true) === W_YPE_EQ) q += 11;
      else if (w === W_GFP_ && q + 10 < e && dv.getInt32(q + 4, true) === W_FLAG && buf[q + 8] === 115 && buf[q + 9] === 61) q += 9;
      else {
        q = findByte2(buf, dv, q, e, REP_EQ, 61, REP_SP, SP);
        if (q >= e || buf[q] !== 61) return this.fail(`cannot parse ${ev.name}`, buf, s, e);
      }
      const kl = q - ks;
      const k0 = buf[ks]!;
      q++;
      if (kl === 4 && k0 === 112 /* page */) {
        while (q < e && buf[q] === SP) q++;
        // the usual 16-digit pointer is skipped without a look unless the first look wants it
        if (this.sig === null && buf[q + 16] === SP) { q += 17; continue; }
      }
      const vs = q;
      let num = NaN;
      if (kl === 9) {
        // gfp_flags is printed last: when the rest of the line is the gfp string cached in its slot, it needs no
        // scan (a cached string holds no space, so the match also proves this is the whole value)
        const cached = e > vs ? this.gfpBySlot[tokenSlot(buf, vs, e)]! : -1;
        if (cached >= 0 && this.gfps.matches(cached, buf, dv, vs, e)) { q = e; gfpId = cached; }
        else q = findByte(buf, dv, q, e, REP_SP, SP);
      } else {
        num = this.scanNumber(buf, q, e);
        q = this.numEnd;
      }
      const ve = q;
      while (q < e && buf[q] === SP) q++;
      switch (kl) {
        case 4:
          if (k0 === 112) { // page
            if (buf[vs] === 40 /* ( */ && buf[vs + 2] === 117 /* u */) nullPage = 1; // "(null)", not perf's "(nil)"
            else if (ve - vs === 16) {
              let z = vs;
              while (z < ve && buf[z] === 48) z++;
              if (z === ve) nullPage = 2;
            }
          } else if (k0 === 99) ev.cold = num; // cold
          break;
        case 3: // pfn
          hexPfn = ve - vs > 2 && buf[vs + 1] === 120;
          ev.pfn = normPfn(num);
          seen |= 1;
          break;
        case 5: ev.order = num; seen |= 2; break;
        case 9: gs = vs; ge = ve; break; // gfp_flags
        case 11:
          if (k0 === 109) { ev.migratetype = num; seen |= 4; }
          else if (k0 === 97) ev.allocOrder = num;
          else if (k0 === 102) ev.fragmenting = num;
          break;
        case 13: ev.percpuRefill = num; break;
        case 14: ev.fallbackOrder = num; break;
        case 15: ev.pageblockOrder = num; break;
        case 16: ev.changeOwnership = num; break;
        case 17: ev.allocMigratetype = num; break;
        case 20: ev.fallbackMigratetype = num; break;
        default: break;
      }
    }
    // required fields and ranges
    if ((seen & 1) === 0 || Number.isNaN(ev.pfn)) return this.missing(ev, 'pfn', buf, s, e);
    if (id === EV_MM_PAGE_ALLOC_EXTFRAG) {
      if (!(ev.allocOrder >= 0)) return this.missing(ev, 'alloc_order', buf, s, e);
      if (!(ev.fallbackOrder >= 0)) return this.missing(ev, 'fallback_order', buf, s, e);
      if (!(ev.allocMigratetype >= 0)) return this.missing(ev, 'alloc_migratetype', buf, s, e);
      if (!(ev.fallbackMigratetype >= 0)) return this.missing(ev, 'fallback_migratetype', buf, s, e);
      if (ev.allocOrder >= TRACE_NR_PAGE_ORDERS || ev.fallbackOrder >= TRACE_NR_PAGE_ORDERS) return this.orderRange(ev, Math.max(ev.allocOrder, ev.fallbackOrder), buf, s, e);
    } else {
      if ((seen & 2) === 0 || Number.isNaN(ev.order)) return this.missing(ev, 'order', buf, s, e);
      if (ev.order < 0 || ev.order >= TRACE_NR_PAGE_ORDERS) return this.orderRange(ev, ev.order, buf, s, e);
      if ((id === EV_MM_PAGE_ALLOC || id === EV_MM_PAGE_ALLOC_ZONE_LOCKED || id === EV_MM_PAGE_PCPU_DRAIN) && ((seen & 4) === 0 || Number.isNaN(ev.migratetype))) return this.missing(ev, 'migratetype', buf, s, e);
    }
    if (id === EV_MM_PAGE_ALLOC) {
      if (gs < 0) return this.missing(ev, 'gfp_flags', buf, s, e);
      let gid = gfpId;
      if (gid < 0) {
        gid = this.gfps.idOfBytes(buf, gs, ge);
        if (ge > gs) this.gfpBySlot[tokenSlot(buf, gs, ge)] = gid;
      }
      ev.gfpId = gid;
      ev.failed = ev.pfn === 0 || ev.pfn === -1;
      if (this.sig !== null) {
        this.sig.observeAlloc(this.gfps.str(gid), ev.migratetype);
        if (nullPage === 1) this.sig.atMost(501, 'page=(null) for a failed allocation (≤5.1)');
        else if (nullPage === 2 && ev.failed) this.sig.atLeast(502, 'page=0000000000000000 for a failed allocation (5.2+)');
      }
      if (this.gfpEra !== '') {
        const m = this.gfpMask(gid);
        if (m === -3) { this.error = this.gfpErrorMessage(gid); return LINE_ERROR; }
        ev.gfpMask = m;
      }
    }
    const sig = this.sig;
    if (sig !== null) {
      if (id !== EV_MM_PAGE_ALLOC || ev.pfn > 0) {
        if (hexPfn) sig.atLeast(514, 'pfn=0x… hex (5.14+)');
        else if (ev.pfn > 9) sig.atMost(513, 'decimal pfn= (≤5.13)');
      }
      if (id === EV_MM_PAGE_FREE_BATCHED) {
        if (ev.cold >= 0) sig.atMost(414, 'cold= in mm_page_free_batched (≤4.14)');
        else sig.atLeast(415, 'no cold= in mm_page_free_batched (4.15+)');
      }
      if (id === EV_MM_PAGE_ALLOC_ZONE_LOCKED && ev.percpuRefill >= 0 && (ev.percpuRefill === 1) !== (ev.order === 0)) {
        sig.atLeast(600, 'percpu_refill ≠ (order == 0) in mm_page_alloc_zone_locked (6.0+)');
      }
    }
    return LINE_EVENT;
  }

  /** what kernelLayout read: `seen` bits (1 pfn, 2 order, 4 migratetype) and 8 for gfp_flags, whose intern id and
   *  value start are fastGfp and fastGfpStart */
  private fastSeen = 0;
  private fastGfp = -1;
  private fastGfpStart = 0;

  /**
   * The page events' fields in the kernel's own order and forms (include/trace/events/kmem.h v5.14 … v6.18
   * TP_printk: `page=%p pfn=0x%lx order=%d`, then `migratetype=%d`, then `gfp_flags=%s` or `percpu_refill=%d`),
   * each key known by one word compare where the general loop of parsePageFields tries them in turn: the pfn's
   * lower-case hex digits, one-digit order, migratetype and percpu_refill, a gfp_flags string the gfp cache
   * holds (the rest of the line). Each field read here is written to `ev` exactly as that loop writes it; at the
   * first field not in that form (or the line's end) it returns where that field starts, and the loop takes
   * over. Not on the first look, which wants the pointer's and the pfn's forms (nullPage, hexPfn).
   */
  private kernelLayout(buf: Buffer, dv: DataView, q: number, e: number, ev: TraceEvent): number {
    this.fastSeen = 0;
    // page=: the 16-digit pointer, skipped as the loop skips it
    if (q + 28 >= e || dv.getInt32(q, true) !== W_PAGE || buf[q + 4] !== 61 || buf[q + 5] === SP || buf[q + 21] !== SP) return q;
    q += 22;
    // pfn=0x<hex digits>
    if (dv.getInt32(q, true) !== W_PFN_EQ || buf[q + 4] !== 48 || buf[q + 5] !== 120) return q;
    let i = q + 6;
    let v = 0;
    // up to eight digits four a read (exact: below 2^32), then one at a time, as the general loop reads them
    for (let k = 0; k < 2 && i + 4 <= e; k++) {
      const h = hex4(dv.getInt32(i, true));
      if (h < 0) break;
      v = v * 65536 + h;
      i += 4;
    }
    for (; i < e; i++) {
      const c = buf[i]!;
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
      else break;
    }
    if (i === q + 6 || (i < e && buf[i] !== SP)) return q;
    ev.pfn = normPfn(v);
    let seen = 1;
    q = i;
    while (q < e && buf[q] === SP) q++;
    // order=<digit>
    if (q + 7 > e || dv.getInt32(q, true) !== W_ORDE || buf[q + 4] !== 114 || buf[q + 5] !== 61) { this.fastSeen = seen; return q; }
    let d = buf[q + 6]! - 48;
    if (d < 0 || d > 9 || (q + 7 < e && buf[q + 7] !== SP)) { this.fastSeen = seen; return q; }
    ev.order = d;
    seen |= 2;
    q += 7;
    while (q < e && buf[q] === SP) q++;
    // migratetype=<digit>
    if (q + 13 > e || dv.getInt32(q, true) !== W_MIGR || dv.getInt32(q + 4, true) !== W_ATET || dv.getInt32(q + 8, true) !== W_YPE_EQ) {
      this.fastSeen = seen;
      return q;
    }
    d = buf[q + 12]! - 48;
    if (d < 0 || d > 9 || (q + 13 < e && buf[q + 13] !== SP)) { this.fastSeen = seen; return q; }
    ev.migratetype = d;
    seen |= 4;
    q += 13;
    while (q < e && buf[q] === SP) q++;
    // gfp_flags=<the rest, a cached string> or percpu_refill=<digit>, last
    const w = q + 13 < e ? dv.getInt32(q, true) : 0;
    if (w === W_GFP_ && dv.getInt32(q + 4, true) === W_FLAG && buf[q + 8] === 115 && buf[q + 9] === 61) {
      const vs = q + 10;
      const cached = this.gfpBySlot[tokenSlot(buf, vs, e)]!;
      if (cached >= 0 && this.gfps.matches(cached, buf, dv, vs, e)) {
        this.fastGfp = cached;
        this.fastGfpStart = vs;
        seen |= 8;
        q = e;
      }
    } else if (w === W_PERC && q + 15 === e && dv.getInt32(q + 4, true) === W_PU_R && dv.getInt32(q + 8, true) === W_EFIL &&
      buf[q + 12] === 108 && buf[q + 13] === 61) {
      d = buf[q + 14]! - 48;
      if (d >= 0 && d <= 9) { ev.percpuRefill = d; q = e; }
    }
    this.fastSeen = seen;
    return q;
  }

  /** where scanNumber stopped (the space after the value, or the line end) */
  private numEnd = 0;

  /**
   * a field value from buf[s] to the next space (or e), scanned and parsed in one pass: parseNumBytes' grammar
   * (decimal, optionally negative, or 0x-hex; NaN for anything else), end in numEnd
   */
  private scanNumber(buf: Buffer, s: number, e: number): number {
    let i = s;
    let neg = false;
    if (i < e && buf[i] === 45 /* - */) { neg = true; i++; }
    const ds = i;
    let v = 0;
    let ok = true;
    if (i + 2 < e && buf[i] === 48 && (buf[i + 1] === 120 || buf[i + 1] === 88) && buf[i + 2] !== SP) {
      for (i += 2; i < e; i++) {
        const c = buf[i]!;
        if (c === SP) break;
        if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
        else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
        else if (c >= 65 && c <= 70) v = v * 16 + (c - 55);
        else ok = false;
      }
    } else {
      for (; i < e; i++) {
        const c = buf[i]!;
        if (c === SP) break;
        if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
        else ok = false;
      }
    }
    this.numEnd = i;
    if (i === ds || !ok) return NaN;
    return neg ? -v : v;
  }

  private missing(ev: TraceEvent, field: string, buf: Buffer, s: number, e: number): number {
    return this.fail(`${ev.name}: missing or bad ${field}=`, buf, s, e);
  }

  private orderRange(ev: TraceEvent, order: number, buf: Buffer, s: number, e: number): number {
    this.error = `${orderRangeMessage(ev.name, order)}: ${excerpt(buf, s, e)}`;
    return LINE_ERROR;
  }

  /** the message for a gfp string with a name unknown to the era */
  gfpErrorMessage(gid: number): string {
    return `unknown gfp flag '${this.gfpErrById[gid]}'`;
  }

  /** mask of a gfp intern id in the current era (-3 when a name is unknown to it) */
  gfpMask(gid: number): number {
    if (gid >= this.gfpMaskById.length) {
      const a = new Float64Array(Math.max(gid + 1, this.gfpMaskById.length * 2)).fill(-2);
      a.set(this.gfpMaskById);
      this.gfpMaskById = a;
    }
    let m = this.gfpMaskById[gid]!;
    if (m === -2) {
      try {
        m = parseGfpFlags(this.gfps.str(gid), this.gfpEra);
      } catch (err) {
        if (!(err instanceof GfpParseError)) throw err;
        m = -3;
        this.gfpErrById[gid] = (err as GfpParseError & { name: string }).name;
      }
      this.gfpMaskById[gid] = m;
    }
    return m;
  }
}
