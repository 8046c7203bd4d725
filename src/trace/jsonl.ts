/**
 * mmreplay's own event stream (what `mmreplay convert --to jsonl` writes), one JSON object per line, lossless for
 * every TraceEvent field:
 *  - line 1, the header: {"mmreplay":"trace","schema":1,"format":<source format>,"kernel_era":"6.15–6.18",
 *    "gfp_era":"6.15"}
 *  - then one object per event: "ev" (name without system), "sys", "task", "pid", "tgid" (only when printed),
 *    "cpu", "irq_flags" (only when printed), "ts" (timestamp text as printed), then
 *    - page events: "pfn" (number; 0 or -1 for a failed allocation), "order", and what the event prints of
 *      "migratetype", "gfp_flags" (text as printed), "percpu_refill", "cold", "alloc_order", "fallback_order",
 *      "pageblock_order", "alloc_migratetype", "fallback_migratetype", "fragmenting", "change_ownership";
 *    - other known events: "fields": {key: value text, ...} in printed order (see fields.ts for key names);
 *    - events mmreplay does not know: "raw": the text after `event:`.
 * Keys are the kernel's field names (snake_case).
 */
import { EV_OTHER, eventId, eventSystem, isPageEvent, pageEventError, TraceEvent } from './event.js';
import { chooseEra, EraSignals, type EraChoice } from './era.js';
import { TextParser } from './ftrace.js';
import { LineSplitter } from './lines.js';
import { parseFieldList } from './fields.js';
import type { ReadResult, Sink } from './read.js';

export const JSONL_SCHEMA = 1;

export function jsonlHeader(format: string, kernelEra: string, gfpEra: string): string {
  return `${JSON.stringify({ mmreplay: 'trace', schema: JSONL_SCHEMA, format, kernel_era: kernelEra, gfp_era: gfpEra })}\n`;
}

/** one event as a JSONL line (with its newline) */
export function jsonlEvent(ev: TraceEvent): string {
  let s = `{"ev":${JSON.stringify(ev.name)},"sys":${JSON.stringify(ev.system)},"task":${JSON.stringify(ev.task)},"pid":${ev.pid}`;
  if (ev.tgid >= 0) s += `,"tgid":${ev.tgid}`;
  s += `,"cpu":${ev.cpu}`;
  const fl = ev.flags;
  if (fl !== '') s += `,"irq_flags":${JSON.stringify(fl)}`;
  s += `,"ts":${JSON.stringify(ev.timestamp)}`;
  if (isPageEvent(ev.id)) {
    s += `,"pfn":${ev.pfn}`;
    if (ev.order >= 0) s += `,"order":${ev.order}`;
    if (ev.migratetype >= 0) s += `,"migratetype":${ev.migratetype}`;
    if (ev.gfpId >= 0) s += `,"gfp_flags":${JSON.stringify(ev.gfp)}`;
    if (ev.percpuRefill >= 0) s += `,"percpu_refill":${ev.percpuRefill}`;
    if (ev.cold >= 0) s += `,"cold":${ev.cold}`;
    if (ev.allocOrder >= 0) s += `,"alloc_order":${ev.allocOrder}`;
    if (ev.fallbackOrder >= 0) s += `,"fallback_order":${ev.fallbackOrder}`;
    if (ev.pageblockOrder >= 0) s += `,"pageblock_order":${ev.pageblockOrder}`;
    if (ev.allocMigratetype >= 0) s += `,"alloc_migratetype":${ev.allocMigratetype}`;
    if (ev.fallbackMigratetype >= 0) s += `,"fallback_migratetype":${ev.fallbackMigratetype}`;
    if (ev.fragmenting >= 0) s += `,"fragmenting":${ev.fragmenting}`;
    if (ev.changeOwnership >= 0) s += `,"change_ownership":${ev.changeOwnership}`;
  } else if (ev.id !== EV_OTHER) {
    s += ',"fields":{';
    for (let i = 0; i < ev.nFields; i++) {
      if (i > 0) s += ',';
      s += `${JSON.stringify(ev.fieldKeys[i])}:${JSON.stringify(ev.fieldValues[i])}`;
    }
    s += '}';
  } else {
    s += `,"raw":${JSON.stringify(ev.rest)}`;
  }
  return `${s}}\n`;
}

type Obj = Record<string, unknown>;

function int(o: Obj, key: string, dflt: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`"${key}" is not an integer`);
  return v;
}
function str(o: Obj, key: string, dflt: string | undefined): string {
  const v = o[key];
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`missing "${key}"`);
    return dflt;
  }
  if (typeof v !== 'string') throw new Error(`"${key}" is not a string`);
  return v;
}

/** parses a time text as printed: seconds with a dot, or a raw counter */
export function parseTimestamp(ts: string): number {
  if (!/^\d+(\.\d+)?$/.test(ts)) return NaN;
  return Number(ts);
}

/**
 * Fills ev from one decoded object (shared by the CSV reader, which builds the same object from its columns).
 * Throws an Error with the message on a bad record.
 */
export function fillFromObject(o: Obj, ev: TraceEvent, parser: TextParser, fieldsText: string | null): void {
  ev.reset();
  ev.buf = null;
  const name = str(o, 'ev', undefined);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`bad event name ${JSON.stringify(name)}`);
  ev.nameId = parser.names.idOf(name);
  ev.id = eventId(name);
  ev.system = ev.id !== EV_OTHER ? eventSystem(ev.id) : str(o, 'sys', '');
  ev.taskId = parser.tasks.idOf(str(o, 'task', ''));
  ev.pid = int(o, 'pid', -1);
  ev.tgid = int(o, 'tgid', -1);
  ev.cpu = int(o, 'cpu', -1);
  ev.flagsStr = str(o, 'irq_flags', '');
  ev.tsStr = str(o, 'ts', '');
  ev.time = ev.tsStr === '' ? 0 : parseTimestamp(ev.tsStr);
  if (Number.isNaN(ev.time)) throw new Error(`bad "ts" ${JSON.stringify(ev.tsStr)}`);
  if (isPageEvent(ev.id)) {
    ev.pfn = int(o, 'pfn', NaN);
    ev.order = int(o, 'order', -1);
    if (o.order === undefined && ev.id !== 6) throw new Error('missing "order"');
    ev.migratetype = int(o, 'migratetype', -1);
    ev.percpuRefill = int(o, 'percpu_refill', -1);
    ev.cold = int(o, 'cold', -1);
    ev.allocOrder = int(o, 'alloc_order', -1);
    ev.fallbackOrder = int(o, 'fallback_order', -1);
    ev.pageblockOrder = int(o, 'pageblock_order', -1);
    ev.allocMigratetype = int(o, 'alloc_migratetype', -1);
    ev.fallbackMigratetype = int(o, 'fallback_migratetype', -1);
    ev.fragmenting = int(o, 'fragmenting', -1);
    ev.changeOwnership = int(o, 'change_ownership', -1);
    const err = pageEventError(ev);
    if (err) throw new Error(err);
    const gfp = o.gfp_flags;
    if (ev.id === 1 /* EV_MM_PAGE_ALLOC */) {
      if (typeof gfp !== 'string' || gfp === '') throw new Error('mm_page_alloc: missing "gfp_flags"');
      ev.failed = ev.pfn === 0 || ev.pfn === -1;
    }
    if (typeof gfp === 'string' && gfp !== '') {
      const gid = parser.gfps.idOf(gfp);
      ev.gfpId = gid;
      const m = parser.gfpMask(gid);
      if (m === -3) throw new Error(parser.gfpErrorMessage(gid));
      ev.gfpMask = m;
    }
  } else if (ev.id !== EV_OTHER) {
    if (fieldsText !== null) {
      parseFieldsText(fieldsText, ev);
    } else {
      const f = o.fields;
      if (f === undefined) return;
      if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error('"fields" is not an object');
      for (const [k, v] of Object.entries(f as Obj)) {
        if (typeof v !== 'string') throw new Error(`fields.${k} is not a string`);
        ev.pushField(k, v);
      }
    }
  } else {
    ev.restStr = fieldsText ?? str(o, 'raw', '');
  }
}

function parseFieldsText(text: string, ev: TraceEvent): void {
  if (!parseFieldList(text, ev)) throw new Error(`cannot parse fields ${JSON.stringify(text)}`);
}

/** reads a JSONL stream (header first) into the sink */
export async function readJsonl(chunks: AsyncIterable<Buffer>, sink: Sink, forced: EraChoice | undefined,
  pause?: () => Promise<void> | undefined): Promise<ReadResult> {
  const parser = new TextParser();
  const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
  ev.file = sink.file;
  let era: EraChoice | undefined = forced;
  let pendingSig: EraSignals | null = null;
  const splitter = new LineSplitter((buf, s, e, no) => {
    let o: unknown;
    const text = buf.toString('utf8', s, e).trim();
    if (text === '') return;
    try {
      o = JSON.parse(text);
    } catch (err) {
      sink.bad(no, `bad JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) { sink.bad(no, 'not a JSON object'); return; }
    const obj = o as Obj;
    if (obj.mmreplay === 'trace') {
      if (obj.schema !== JSONL_SCHEMA) { sink.bad(no, `unsupported schema ${JSON.stringify(obj.schema)} (this mmreplay reads ${JSONL_SCHEMA})`); return; }
      if (era === undefined && typeof obj.kernel_era === 'string' && typeof obj.gfp_era === 'string') {
        era = { kernelEra: obj.kernel_era, gfpEra: obj.gfp_era, lo: 0, hi: 0 };
      }
      return;
    }
    if (era === undefined) {
      // no header: assume the newest era (gfp names of any era still parse where they are known)
      pendingSig ??= new EraSignals();
      era = chooseEra(pendingSig);
    }
    if (parser.gfpEra !== era.gfpEra) parser.setEra(era.gfpEra);
    ev.format = 'jsonl'; ev.kernelEra = era.kernelEra; ev.gfpEra = era.gfpEra;
    try {
      fillFromObject(obj, ev, parser, null);
    } catch (err) {
      sink.bad(no, (err as Error).message);
      return;
    }
    sink.event(ev, no);
  }, (no) => sink.bad(no, 'line longer than 1 MiB (skipped)'));
  for await (const c of chunks) {
    splitter.push(c);
    if (pause) { const w = pause(); if (w) await w; }
  }
  splitter.end();
  sink.lines = splitter.lineNo;
  return sink.result('jsonl', parser.names, era ?? chooseEra(new EraSignals()));
}
