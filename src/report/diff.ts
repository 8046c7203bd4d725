/**
 * `mmreplay diff` output. text: the sides, the outcome table per side, the counters side by side, the divergence
 * count, the first divergence with both decision logs side by side and the change that explains it, then the
 * later divergences one line each (they may be consequences: the states drift apart after the first).
 * json: the DiffResult object (src/replay/diff.ts) as one JSON document.
 */
import type { ChalkInstance } from 'chalk';
import type { AllocEvent } from '../replay/decision.js';
import type { DiffResult, Divergence, SideOutcome } from '../replay/diff.js';

function table(rows: string[][], right: boolean[]): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return rows.map((r) => `  ${r.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd()}\n`).join('');
}

function res(o: SideOutcome): string {
  return o.ok ? `${o.path} → ${o.zone}` : `${o.path} → failed`;
}

/** one decision log as lines (the replay text log's alloc line and steps) */
function logLines(e: AllocEvent): string[] {
  const out: string[] = [];
  const r = e.result;
  out.push(`${e.path} → ${r.ok ? `${r.zone}${r.pfn !== null ? ` pfn 0x${r.pfn.toString(16)}` : ''}` : 'failed'}`);
  out.push(`gfp ${e.gfp}`);
  if (e.trace_gfp !== undefined) out.push(`  (trace: ${e.trace_gfp})`);
  for (const s of e.steps ?? []) {
    const z = s.zone ?? '-';
    if (s.kind === 'wmark' || s.kind === 'wmark_high') out.push(`${s.kind} ${z} free=${s.free} mark=${s.mark} reserve=${s.reserve} ${s.result ? 'ok' : 'fail'} flags=0x${(s.alloc_flags >>> 0).toString(16)}`);
    else out.push(`${s.kind} ${z} free=${s.free} mark=${s.mark} result=${s.result} aux=${s.aux}`);
  }
  return out;
}

function sideBySide(a: string[], b: string[], ha: string, hb: string): string {
  const w = Math.max(ha.length, ...a.map((l) => l.length));
  let o = `    ${ha.padEnd(w)} │ ${hb}\n`;
  for (let i = 0; i < Math.max(a.length, b.length); i++) o += `    ${(a[i] ?? '').padEnd(w)} │ ${b[i] ?? ''}`.trimEnd() + '\n';
  return o;
}

function divergenceLine(d: Divergence): string {
  const name = d.name ? ` ${d.name}` : '';
  return `  #${String(d.seq).padEnd(7)} ${d.time.padStart(14)}  ${`${d.task}-${d.pid}`.padEnd(20)} order=${String(d.order).padEnd(2)} ${d.gfp}${name}\n` +
    `           A ${res(d.a)}   B ${res(d.b)}\n           ${d.reason}\n`;
}

export function formatDiffText(r: DiffResult, c: ChalkInstance): string {
  const [A, B] = r.sides as [DiffResult['sides'][0], DiffResult['sides'][0]];
  const ha = `A (${A.label})`;
  const hb = `B (${B.label})`;
  let o = `${c.bold('mmreplay diff')}: ${r.inputs.join(', ')}: ${r.mode} mode${r.kernel ? `, trace kernel ${r.kernel}` : ''}\n`;
  for (const s of r.sides) {
    o += `  ${s.name}: policy ${s.policy}, machine ${s.machine}${Object.keys(s.sysctl).length ? `, sysctl ${Object.entries(s.sysctl).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}` : ''}`;
    o += s.gfp_unmapped.length ? `; trace gfp flags it cannot express: ${s.gfp_unmapped.join(', ')}\n` : '\n';
  }

  const oa = r.outcomes.a;
  const ob = r.outcomes.b;
  o += `\n${c.bold('outcomes')}\n`;
  const rows: string[][] = [['', ha, hb]];
  rows.push(['allocations', String(oa.allocations), String(ob.allocations)]);
  if (oa.thp_group_skipped || ob.thp_group_skipped) rows.push(['THP tries skipped', String(oa.thp_group_skipped), String(ob.thp_group_skipped)]);
  rows.push(['served', String(oa.served), String(ob.served)]);
  rows.push(['failed', String(oa.failed), String(ob.failed)]);
  const orders = [...new Set([...Object.keys(oa.by_order), ...Object.keys(ob.by_order)])].sort((x, y) => Number(x) - Number(y));
  for (const k of orders) {
    const x = oa.by_order[k] ?? { ok: 0, failed: 0 };
    const y = ob.by_order[k] ?? { ok: 0, failed: 0 };
    rows.push([`order ${k} ok/failed`, `${x.ok}/${x.failed}`, `${y.ok}/${y.failed}`]);
  }
  const paths = [...new Set([...Object.keys(oa.by_path), ...Object.keys(ob.by_path)])];
  for (const p of paths) rows.push([`path ${p}`, String(oa.by_path[p] ?? 0), String(ob.by_path[p] ?? 0)]);
  o += table(rows, [false, true, true]);

  o += `\n${c.bold('counters')} (/proc/vmstat names; - = not kept by that kernel)\n`;
  const crows: string[][] = [['', ha, hb]];
  for (const [k, [x, y]] of Object.entries(r.counters)) {
    const line = [k, x === null ? '-' : String(x), y === null ? '-' : String(y)];
    crows.push(x !== y ? line.map((s) => c.yellow(s)) : line);
  }
  o += crows.length > 1 ? table(crows, [false, true, true]) : '  (all zero)\n';

  o += `\n${c.bold('divergences')}: ${r.divergence_count} of ${r.requests} allocations decided differently (outcome, zone or path)\n`;
  if (r.first_drift && (r.divergences.length === 0 || r.first_drift.seq < r.divergences[0]!.seq)) {
    o += `  first decision difference without a different outcome: #${r.first_drift.seq}: ${r.first_drift.reason}\n`;
  }
  if (r.divergences.length === 0) return o;
  const first = r.divergences[0]!;
  o += `\n${c.bold('first divergence')}\n${divergenceLine(first)}`;
  if (r.first_logs) o += `\n${sideBySide(logLines(r.first_logs.a), logLines(r.first_logs.b), ha, hb)}`;
  if (r.divergences.length > 1) {
    o += `\n${c.bold('later divergences')} (the states drift apart after the first: later divergences may be its consequences)\n`;
    for (const d of r.divergences.slice(1)) o += divergenceLine(d);
  }
  if (r.divergences_omitted > 0) o += `  … ${r.divergences_omitted} more not listed (--max-divergences)\n`;
  return o;
}

export function formatDiffJson(r: DiffResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
