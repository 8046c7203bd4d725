/**
 * mmreplay's CSV form of a trace (`mmreplay convert --to csv`), with a header row. Columns, in order:
 *   ev, sys, task, pid, tgid, cpu, irq_flags, ts,
 *   pfn, order, migratetype, gfp_flags, percpu_refill, cold,
 *   alloc_order, fallback_order, pageblock_order, alloc_migratetype, fallback_migratetype, fragmenting,
 *   change_ownership,
 *   fields, kernel_era, gfp_era, format
 * An empty cell means "not printed by this event". `fields` holds the other known events' fields as
 * `key=value` pairs separated by spaces (fields.ts) and, for events mmreplay does not know, the text after
 * `event:` as printed. `kernel_era`, `gfp_era` and `format` (the source format) are filled on the first data row
 * only. Read back with csv-parse's streaming parser; a bad row is a located error like a bad trace line.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { EV_OTHER, isPageEvent, TraceEvent } from './event.js';
import { formatFieldList } from './fields.js';
import { chooseEra, EraSignals, type EraChoice } from './era.js';
import { TextParser } from './ftrace.js';
import { fillFromObject } from './jsonl.js';
import type { ReadResult, Sink } from './read.js';

export const CSV_COLUMNS = [
  'ev', 'sys', 'task', 'pid', 'tgid', 'cpu', 'irq_flags', 'ts',
  'pfn', 'order', 'migratetype', 'gfp_flags', 'percpu_refill', 'cold',
  'alloc_order', 'fallback_order', 'pageblock_order', 'alloc_migratetype', 'fallback_migratetype', 'fragmenting',
  'change_ownership',
  'fields', 'kernel_era', 'gfp_era', 'format',
] as const;

const INT_COLUMNS = new Set(['pid', 'tgid', 'cpu', 'pfn', 'order', 'migratetype', 'percpu_refill', 'cold',
  'alloc_order', 'fallback_order', 'pageblock_order', 'alloc_migratetype', 'fallback_migratetype', 'fragmenting',
  'change_ownership']);

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

/** RFC 4180 quoting when needed */
export function csvCell(v: string): string {
  if (v === '') return '';
  if (/[",\r\n]/.test(v) || v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

function n(v: number): string { return v >= 0 || v === -1 && false ? String(v) : ''; }

/** one event as a CSV row (with its newline); era cells only when `era` is given (the first row) */
export function csvRow(ev: TraceEvent, era: { kernelEra: string; gfpEra: string; format: string } | null): string {
  const page = isPageEvent(ev.id);
  const cells = [
    csvCell(ev.name), csvCell(ev.system), csvCell(ev.task), String(ev.pid), n(ev.tgid), n(ev.cpu),
    csvCell(ev.flags), csvCell(ev.timestamp),
    page ? String(ev.pfn) : '', page ? n(ev.order) : '', n(ev.migratetype), csvCell(ev.gfp), n(ev.percpuRefill), n(ev.cold),
    n(ev.allocOrder), n(ev.fallbackOrder), n(ev.pageblockOrder), n(ev.allocMigratetype), n(ev.fallbackMigratetype),
    n(ev.fragmenting), n(ev.changeOwnership),
    csvCell(page ? '' : ev.id !== EV_OTHER ? formatFieldList(ev) : ev.rest),
    era ? csvCell(era.kernelEra) : '', era ? csvCell(era.gfpEra) : '', era ? csvCell(era.format) : '',
  ];
  return `${cells.join(',')}\n`;
}

/** reads a CSV stream (header row first) into the sink */
export async function readCsv(chunks: AsyncIterable<Buffer>, sink: Sink, forced: EraChoice | undefined,
  pause?: () => Promise<void> | undefined): Promise<ReadResult> {
  const parser = new TextParser();
  const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
  ev.file = sink.file;
  let era: EraChoice | undefined = forced;
  let columns: string[] | null = null;
  let lines = 0;
  const csv = parse({ relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, info: true, bom: true });
  const skips: { line: number; msg: string }[] = [];
  csv.on('skip', (err: Error & { lines?: number }) => { skips.push({ line: err.lines ?? 0, msg: err.message }); });
  const source = Readable.from(chunks);
  source.on('error', (e) => csv.destroy(e));
  source.pipe(csv);
  for await (const item of csv as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skips.length > 0) { const s = skips.shift()!; sink.bad(s.line, `bad CSV row: ${s.msg}`); }
    const rec = item.record;
    const no = item.info.lines;
    if (pause && (no & 1023) === 0) { const w = pause(); if (w) await w; }
    lines = no;
    if (columns === null) {
      columns = rec;
      if (rec[0] !== 'ev') { sink.bad(no, 'not an mmreplay CSV header (expected "ev,sys,…")'); columns = [...CSV_COLUMNS]; }
      continue;
    }
    if (rec.length !== columns.length) { sink.bad(no, `bad CSV row: ${rec.length} cells, the header has ${columns.length}`); continue; }
    const o: Record<string, unknown> = {};
    let fieldsText = '';
    let bad = '';
    for (let i = 0; i < columns.length; i++) {
      const k = columns[i]!;
      const v = rec[i]!;
      if (k === 'fields') { fieldsText = v; continue; }
      if (k === 'kernel_era' || k === 'gfp_era' || k === 'format') continue;
      if (v === '') continue;
      if (INT_COLUMNS.has(k)) {
        if (!/^-?\d+$/.test(v)) { bad = `bad CSV cell ${k}=${JSON.stringify(v)}: not an integer`; break; }
        o[k] = Number(v);
      } else {
        o[k] = v;
      }
    }
    if (bad) { sink.bad(no, bad); continue; }
    if (era === undefined) {
      const ki = columns.indexOf('kernel_era');
      const gi = columns.indexOf('gfp_era');
      if (ki >= 0 && gi >= 0 && rec[ki] && rec[gi]) era = { kernelEra: rec[ki]!, gfpEra: rec[gi]!, lo: 0, hi: 0 };
      else era = chooseEra(new EraSignals());
    }
    if (parser.gfpEra !== era.gfpEra) parser.setEra(era.gfpEra);
    ev.format = 'csv'; ev.kernelEra = era.kernelEra; ev.gfpEra = era.gfpEra;
    try {
      fillFromObject(o, ev, parser, fieldsText);
    } catch (err) {
      sink.bad(no, (err as Error).message);
      continue;
    }
    sink.event(ev, no);
  }
  while (skips.length > 0) { const s = skips.shift()!; sink.bad(s.line, `bad CSV row: ${s.msg}`); }
  sink.lines = lines;
  return sink.result('csv', parser.names, era ?? chooseEra(new EraSignals()));
}
