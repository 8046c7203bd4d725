/**
 * Generic `key=value` tokeniser for the events whose fields mmreplay keeps as an ordered list (vmscan, compaction,
 * oom and the 6.15+ kmem watermark events). It follows the shapes their TP_printk formats produce:
 *  - `zone=Normal   order=9`: `%-8s` padding, so any run of spaces separates fields;
 *  - `zone_end=0x640000, mode=async` (compaction begin/end): a trailing comma belongs to the separator;
 *  - `range=(0x1000 ~ 0x1200)` (isolate_*pages): a parenthesised value runs to its `)`;
 *  - `node_id=0 zone name=Normal watermark min=10` (kmem.h mm_setup_per_zone_wmarks): a bare word is a prefix of the
 *    next key, joined with `_` (`zone_name`, `watermark_min`, `upper_zone_name`);
 *  - `file-rss:123kB` (oom.h mark_victim): `:` separates key and value when there is no `=`;
 *  - `comm=Web Content total-vm=…` (mark_victim): a task name's words run to the next key.
 */
import type { TraceEvent } from './event.js';

/** fills ev's field list from the text after `event:`; returns false if the text is not a field list */
export function parseFieldList(text: string, ev: TraceEvent): boolean {
  ev.nFields = 0;
  const n = text.length;
  let i = 0;
  let prefix = '';
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 61 /* = */ || c === 32) break;
      i++;
    }
    if (i >= n || text.charCodeAt(i) === 32) {
      // no '=': `key:value` or a bare word
      const word = text.slice(ks, i);
      const colon = word.indexOf(':');
      if (colon > 0 && colon < word.length - 1) {
        ev.pushField(prefix + word.slice(0, colon), word.slice(colon + 1));
        prefix = '';
      } else {
        prefix = prefix + word + '_';
      }
      continue;
    }
    const key = prefix + text.slice(ks, i);
    prefix = '';
    i++; // '='
    let vs = i;
    let ve: number;
    if (text.charCodeAt(i) === 40 /* ( */) {
      const close = text.indexOf(')', i);
      if (close < 0) return false;
      i = close + 1;
      ve = i;
    } else {
      while (i < n && text.charCodeAt(i) !== 32) i++;
      // a task name may hold spaces (`comm=Web Content total-vm=…`, oom.h mark_victim): its words run up to the
      // next word that has a key (`=` or `:`)
      if (key === 'comm') {
        for (;;) {
          let j = i;
          while (j < n && text.charCodeAt(j) === 32) j++;
          let k = j;
          while (k < n && text.charCodeAt(k) !== 32 && text.charCodeAt(k) !== 61 && text.charCodeAt(k) !== 58) k++;
          if (j >= n || k >= n || text.charCodeAt(k) !== 32) break;
          i = k;
        }
      }
      ve = i;
      if (ve > vs && text.charCodeAt(ve - 1) === 44 /* , */) ve--;
    }
    ev.pushField(key, text.slice(vs, ve));
    vs = 0;
  }
  if (prefix !== '') ev.pushField(prefix.slice(0, -1), '');
  return true;
}

/** the inverse: the text a field list prints as (CSV `fields` column) */
export function formatFieldList(ev: TraceEvent): string {
  let s = '';
  for (let i = 0; i < ev.nFields; i++) {
    if (i > 0) s += ' ';
    const v = ev.fieldValues[i]!;
    s += v === '' ? ev.fieldKeys[i]! : `${ev.fieldKeys[i]}=${v}`;
  }
  return s;
}
