/**
 * `mmreplay check --update`: rewrites the expectations that failed with the values the run produced, in place.
 * Only the failing values change: the file's other text (key order, layout, comments-free JSON as written, other
 * expectations, ranges that still hold) stays byte for byte. A replaced value keeps the layout of the old one
 * (a one-line array stays on one line; a multi-line one is written with 2-space indentation).
 *
 * A value that cannot be written as one expectation is left alone and reported (`unresolved`): repetitions of a
 * request that disagree (zone, path, …), a zone expected of a request that never got pages, a request that never
 * ran. A violated range is replaced by the exact actual number.
 */
import type { ScenarioExpect } from '../scenario/schema.js';
import type { CheckResult } from './check.js';
import { buddyinfoOf, path, printedWarningLines, woke, type Value } from './expect.js';
import type { RunResult } from './run.js';
import { formatValue } from './render.js';

export interface UpdateChange {
  /** path in the file (`expect.requests.k1.zone`; a sidecar's paths have no `expect.`) */
  field: string;
  from: Value;
  to: Value;
}

export interface UpdatePlan {
  file: string;
  changes: UpdateChange[];
  unresolved: { field: string; reason: string }[];
  /** the rewritten file text */
  text: string;
}

// ---- a JSON parser that remembers where each value is ----

interface Span {
  start: number;
  end: number;
  /** object members / array items */
  children?: Map<string, Span>;
}

class SpanParser {
  private i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  parse(): Span {
    return this.value();
  }
  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  private value(): Span {
    this.ws();
    const start = this.i;
    const ch = this.s[this.i];
    if (ch === '{') {
      const children = new Map<string, Span>();
      this.i++;
      this.ws();
      if (this.s[this.i] === '}') { this.i++; return { start, end: this.i, children }; }
      for (;;) {
        this.ws();
        const k = this.string();
        this.ws();
        this.i++; // ':'
        children.set(k, this.value());
        this.ws();
        if (this.s[this.i++] === '}') return { start, end: this.i, children };
      }
    }
    if (ch === '[') {
      const children = new Map<string, Span>();
      this.i++;
      this.ws();
      if (this.s[this.i] === ']') { this.i++; return { start, end: this.i, children }; }
      for (let n = 0; ; n++) {
        children.set(String(n), this.value());
        this.ws();
        if (this.s[this.i++] === ']') return { start, end: this.i, children };
      }
    }
    if (ch === '"') { this.string(); return { start, end: this.i }; }
    while (this.i < this.s.length && /[^\s,\]}]/.test(this.s[this.i]!)) this.i++;
    return { start, end: this.i };
  }
  private string(): string {
    const start = this.i;
    this.i++;
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
}

/** `value` written where `old` was: one line when the old text was, else 2-space indented from `indent` */
function serialize(value: Value, old: string, indent: string): string {
  if (Array.isArray(value) && !old.includes('\n')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);
}

function lineIndent(text: string, at: number): string {
  const ls = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

// ---- what each failing expectation becomes ----

type Plan = { segs: string[]; to: Value } | { segs: string[]; reason: string };

function same<T>(xs: T[]): T | undefined {
  return xs.length > 0 && xs.every((x) => x === xs[0]) ? xs[0] : undefined;
}

/** the new value of each failing expectation (`failed` = its field paths as the Failure records name them) */
function planValues(exp: ScenarioExpect, run: RunResult, failed: ReadonlySet<string>): Plan[] {
  const plans: Plan[] = [];
  const bad = (segs: (string | number)[]) => failed.has(path(...segs));
  for (const [name, want] of Object.entries(exp.requests ?? {})) {
    const evs = run.named.get(name) ?? [];
    if (bad(['requests', name])) { plans.push({ segs: ['requests', name], reason: 'the request never ran' }); continue; }
    for (const f of ['ok', 'zone', 'node', 'path', 'kswapd', 'warned'] as const) {
      if (want[f] === undefined || !bad(['requests', name, f])) continue;
      const segs = ['requests', name, f];
      const okEvs = evs.filter((e) => e.result.ok);
      let vals: Value[];
      switch (f) {
        case 'ok': vals = evs.map((e) => e.result.ok); break;
        case 'zone': vals = okEvs.map((e) => e.result.zone); break;
        case 'node': vals = okEvs.map((e) => e.result.node); break;
        case 'path': vals = evs.map((e) => e.path); break;
        case 'kswapd': vals = evs.map(woke); break;
        case 'warned': vals = evs.map((e) => e.warned); break;
      }
      const v = same(vals);
      if (v !== undefined) plans.push({ segs, to: v });
      else plans.push({ segs, reason: vals.length === 0 ? 'no repetition got pages' : `repetitions differ (${[...new Set(vals.map((x) => formatValue(x)))].join(', ')})` });
    }
    if (want.failures !== undefined && bad(['requests', name, 'failures'])) {
      plans.push({ segs: ['requests', name, 'failures'], to: evs.filter((e) => !e.result.ok).length });
    }
  }
  for (const name of Object.keys(exp.counters ?? {})) {
    if (bad(['counters', name])) plans.push({ segs: ['counters', name], to: run.summary.counters[name] ?? 0 });
  }
  if (exp.warnings !== undefined && bad(['warnings'])) plans.push({ segs: ['warnings'], to: run.summary.warnings.printed });
  const wt = exp.warning_text;
  if (wt !== undefined && (bad(['warning_text']) || (Array.isArray(wt) && wt.some((_, k) => bad(['warning_text', k]))))) {
    const firsts = run.warnings.filter((w) => w.lines.length > 0).map((w) => printedWarningLines({ ...run, warnings: [w] })[0]!);
    if (firsts.length === 0) plans.push({ segs: ['warning_text'], reason: 'no warning was printed' });
    else plans.push({ segs: ['warning_text'], to: typeof wt === 'string' ? firsts[0]! : firsts });
  }
  for (const key of Object.keys(exp.buddyinfo ?? {})) {
    if (!bad(['buddyinfo', key])) continue;
    const got = buddyinfoOf(run, key);
    if (got) plans.push({ segs: ['buddyinfo', key], to: got });
    else plans.push({ segs: ['buddyinfo', key], reason: `no populated zone ${key}` });
  }
  return plans;
}

/**
 * The rewritten text of `result`'s file (its original `text`). The expectations are under `expect` in a scenario,
 * at the top of a sidecar.
 */
export function planUpdate(result: CheckResult, text: string): UpdatePlan {
  const plan: UpdatePlan = { file: result.file, changes: [], unresolved: [], text };
  if (!result.expect || !result.result || result.failures.length === 0) return plan;
  const root = result.kind === 'scenario' ? ['expect'] : [];
  const failed = new Set(result.failures.map((f) => f.field));
  const tree = new SpanParser(text).parse();
  const edits: { start: number; end: number; with: string }[] = [];
  const at = (segs: string[]) => path(...root, ...segs);
  for (const p of planValues(result.expect, result.result, failed)) {
    if ('reason' in p) { plan.unresolved.push({ field: at(p.segs), reason: p.reason }); continue; }
    let span: Span | undefined = tree;
    for (const s of [...root, ...p.segs]) span = span?.children?.get(s);
    if (!span) { plan.unresolved.push({ field: at(p.segs), reason: 'not found in the file' }); continue; }
    const old = text.slice(span.start, span.end);
    edits.push({ start: span.start, end: span.end, with: serialize(p.to, old, lineIndent(text, span.start)) });
    plan.changes.push({ field: at(p.segs), from: JSON.parse(old) as Value, to: p.to });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.with + out.slice(e.end);
  plan.text = out;
  return plan;
}
