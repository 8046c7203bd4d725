/**
 * The summary as text: run facts, outcomes per order and per path, the mirror agreement table, counters under
 * their /proc/vmstat names, and the final /proc/buddyinfo and /proc/pagetypeinfo (kernel format, never coloured).
 */
import type { ChalkInstance } from 'chalk';
import type { ReplaySummary } from '../replay/decision.js';

function table(rows: string[][], right: boolean[]): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return rows.map((r) => `  ${r.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd()}\n`).join('');
}

function pct(n: number, d: number): string {
  return d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '-';
}

export function formatSummaryText(s: ReplaySummary, c: ChalkInstance): string {
  let o = '';
  o += `${c.bold('replay summary')}\n`;
  o += `  mode: ${s.mode}   machine: ${s.machine}   policy: ${s.policy}${s.kernel ? `   trace kernel: ${s.kernel}` : ''}\n`;
  o += `  inputs: ${s.inputs.join(', ')}\n`;
  const r = s.requests;
  o += `  requests: ${r.allocs} allocations (${r.failed} failed), ${r.frees} frees; ${r.events} events; ${s.unparsed} unparsed lines\n`;
  const f = s.frees;
  o += `  frees: ${f.dropped} dropped (kernel reclaim), ${f.noop} no-op, ${f.unknown} unknown, ${f.pre_trace} of memory from before the trace\n`;
  if (s.thp_group_skipped) o += `  THP fault attempts skipped (served earlier here): ${s.thp_group_skipped}\n`;
  o += `  warnings: ${s.warnings.printed} printed, ${s.warnings.suppressed} suppressed\n`;
  const orders = Object.entries(s.by_order);
  if (orders.length > 0) {
    o += `\n${c.bold('outcomes per order')}\n`;
    o += table([['order', 'ok', 'failed'], ...orders.map(([k, v]) => [k, String(v.ok), String(v.failed)])], [true, true, true]);
  }
  const paths = Object.entries(s.by_path);
  if (paths.length > 0) {
    o += `\n${c.bold('outcomes per path')}\n`;
    o += table([['path', 'requests'], ...paths.map(([k, v]) => [k, String(v)])], [false, true]);
  }
  const a = s.agreement;
  if (a) {
    o += `\n${c.bold('agreement with the recorded kernel')}\n`;
    o += table([
      ['', 'predicted ok', 'predicted failed'],
      ['recorded ok', String(a.recorded_ok_predicted_ok), String(a.recorded_ok_predicted_failed)],
      ['recorded failed', String(a.recorded_failed_predicted_ok), String(a.recorded_failed_predicted_failed)],
    ], [false, true, true]);
    o += `  zone agreement: ${a.zone_agree}/${a.zone_compared} (${pct(a.zone_agree, a.zone_compared)})\n`;
    o += table([
      ['kernel activity', 'predicted', 'recorded'],
      ['kswapd wakeups', String(a.kswapd_wakeups.predicted), String(a.kswapd_wakeups.recorded)],
      ['direct reclaims', String(a.direct_reclaims.predicted), String(a.direct_reclaims.recorded)],
      ['compactions', String(a.compactions.predicted), String(a.compactions.recorded)],
      ['fallbacks (extfrag)', String(a.fallbacks.predicted), String(a.fallbacks.recorded)],
    ], [false, true, true]);
    o += `  mirror take-overs: ${a.takeovers}, pfns outside the machine: ${a.impossible}, pages reconciled after recorded failures: ${a.reconciled_pages}\n`;
  }
  const counters = Object.entries(s.counters);
  o += `\n${c.bold('counters')} (/proc/vmstat names)\n`;
  o += counters.length ? table(counters.map(([k, v]) => [k, String(v)]), [false, true]) : '  (all zero)\n';
  o += `\n${c.bold('buddyinfo')}\n${s.buddyinfo}`;
  o += `\n${c.bold('pagetypeinfo')}\n${s.pagetypeinfo}`;
  return o;
}
