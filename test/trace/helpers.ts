import { Readable } from 'node:stream';
import { readTrace, type ReadOptions, type ReadResult } from '../../src/trace/read.js';
import { isPageEvent, type TraceEvent } from '../../src/trace/event.js';

export const FIX = new URL('../fixtures/trace/', import.meta.url).pathname;

/** a plain copy of the record's interesting fields */
export function snap(ev: TraceEvent): Record<string, unknown> {
  const o: Record<string, unknown> = {
    name: ev.name, system: ev.system, task: ev.task, pid: ev.pid, tgid: ev.tgid, cpu: ev.cpu, flags: ev.flags,
    ts: ev.timestamp, time: ev.time, line: ev.line,
  };
  if (isPageEvent(ev.id)) {
    for (const k of ['pfn', 'order', 'migratetype', 'gfp', 'failed', 'percpuRefill', 'cold', 'allocOrder', 'fallbackOrder',
      'pageblockOrder', 'allocMigratetype', 'fallbackMigratetype', 'fragmenting', 'changeOwnership'] as const) {
      const v = ev[k];
      if (v !== -1 && v !== '') o[k] = v;
    }
  } else {
    o.fields = ev.fieldKeys.slice(0, ev.nFields).map((k, i) => [k, ev.fieldValues[i], ev.fieldNums[i]]);
  }
  return o;
}

export async function collect(path: string, opts: Partial<ReadOptions> = {}, stdinText = ''):
  Promise<{ r: ReadResult; evs: Record<string, unknown>[]; errors: string[]; masks: number[] }> {
  const evs: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const masks: number[] = [];
  const r = await readTrace(path, () => Readable.from([Buffer.from(stdinText)]), { strict: false, ...opts },
    (ev) => { evs.push(snap(ev)); if (ev.gfpId >= 0) masks.push(ev.gfpMask); }, (m) => errors.push(m));
  return { r, evs, errors, masks };
}
