/**
 * `mmreplay check` output: the text lines (a PASS/FAIL line per scenario, then its compact diff and the decision
 * log of each failing request, then `N passed, N failed`) and the `--format json` document.
 */
import type { ChalkInstance } from 'chalk';
import type { AllocEvent } from '../replay/decision.js';
import type { CheckReport, CheckResult } from './check.js';
import type { Failure, RequestLog, Value } from './expect.js';

/** version of the `--format json` document */
export const CHECK_JSON_SCHEMA = 1;

/** a value as the diff prints it: bare words and numbers, ranges as `a..b`, `≥ a`, `≤ b` */
export function formatValue(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))).join(', ')}]`;
  if (typeof v === 'object') {
    if (v.min !== undefined && v.max !== undefined) return `${v.min}..${v.max}`;
    if (v.min !== undefined) return `≥ ${v.min}`;
    return `≤ ${v.max}`;
  }
  if (typeof v === 'string') return /^[\w./-]+$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

/** `requests.k1.zone (repetition 2 of 4, 3 failed): expected DMA32, got DMA` */
export function formatFailure(f: Failure): string {
  const rep = f.repetition !== undefined ? ` (repetition ${f.repetition} of ${f.repetitions}${f.failedRepetitions! > 1 ? `; ${f.failedRepetitions} failed` : ''})` : '';
  const got = typeof f.actual === 'string' && f.actual.startsWith('none (') ? f.actual : formatValue(f.actual);
  return `${f.field}${rep}: expected ${formatValue(f.expected)}, got ${got}`;
}

/** the request line and decision steps, as `mmreplay replay --log steps` prints them */
export function formatDecisionLog(l: RequestLog, indent: string): string {
  const e: AllocEvent = l.event;
  const res = e.result.ok ? `${e.result.zone}${e.result.pfn !== null ? ` pfn 0x${e.result.pfn.toString(16)}` : ''}` : 'failed';
  const rep = l.repetitions > 1 ? `, repetition ${l.repetition} of ${l.repetitions}` : '';
  let o = `${indent}decision log of ${l.name} (#${e.seq}${rep}): order=${e.order} ${e.gfp} ${e.migratetype}  ${e.path} → ${res}${e.warned ? ' (warned)' : ''}\n`;
  for (const s of e.steps ?? []) {
    o += `${indent}  ${s.kind.padEnd(16)} ${(s.zone ?? '-').padEnd(7)} free=${s.free} mark=${s.mark} reserve=${s.reserve} result=${s.result} alloc_flags=0x${(s.alloc_flags >>> 0).toString(16)} aux=${s.aux}\n`;
  }
  return o;
}

/** the diff block of one result (no colour: also the JUnit failure text) */
export function formatDiff(r: CheckResult, indent = '  '): string {
  let o = '';
  if (r.error) return `${indent}${r.error.message.split('\n').join(`\n${indent}`)}\n`;
  for (const f of r.failures) o += `${indent}${formatFailure(f)}\n`;
  for (const l of r.logs) o += formatDecisionLog(l, indent);
  return o;
}

/** the status line of one result */
export function formatStatus(r: CheckResult, c: ChalkInstance): string {
  const where = `${r.name} (${r.file})`;
  if (r.error) return `${c.red('ERROR')} ${where}\n`;
  if (!r.ok) return `${c.red('FAIL')} ${where}\n`;
  return `${c.green('PASS')} ${where} ${Math.round(r.ms)} ms${r.noExpectations ? c.dim(' (no expectations)') : ''}\n`;
}

export function formatTotals(rep: CheckReport): string {
  const passed = rep.results.filter((r) => r.ok && !r.error).length;
  const errors = rep.results.filter((r) => r.error).length;
  const failed = rep.results.length - passed - errors;
  return `${passed} passed, ${failed} failed${errors ? `, ${errors} errors` : ''}\n`;
}

/** the whole text report */
export function formatText(rep: CheckReport, c: ChalkInstance): string {
  let o = '';
  for (const r of rep.results) o += formatStatus(r, c) + formatDiff(r);
  return o + formatTotals(rep);
}

/** `--format json`: one document, machine data only */
export function formatJson(rep: CheckReport): string {
  const results = rep.results.map((r) => {
    const o: Record<string, unknown> = { file: r.file, name: r.name, ok: r.ok && !r.error, ms: Math.round(r.ms * 1000) / 1000 };
    o.failures = r.failures.map((f) => {
      const x: Record<string, unknown> = { field: f.field, expected: f.expected, actual: f.actual };
      if (f.repetition !== undefined) Object.assign(x, { repetition: f.repetition, repetitions: f.repetitions, failed_repetitions: f.failedRepetitions });
      return x;
    });
    if (r.error) o.error = r.error.message;
    if (r.run) o.run = r.run;
    return o;
  });
  const passed = results.filter((r) => r.ok).length;
  return `${JSON.stringify({ schema: CHECK_JSON_SCHEMA, results, passed, failed: results.length - passed, skipped: rep.skipped })}\n`;
}
