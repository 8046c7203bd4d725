/**
 * Format sniffing from the first bytes of a trace. mmreplay's own CSV starts with its header row (`ev,sys,…`,
 * see csv.ts), its JSONL with a `{` object line; everything else is kernel tracing text (ftrace, trace-cmd report,
 * perf script), which the text parser tells apart line by line (`cpus=N` header, `comm pid` with a space).
 */
export type TraceFormat = 'ftrace' | 'trace-cmd' | 'perf-script' | 'csv' | 'jsonl';

export const CSV_HEADER_START = 'ev,sys,';

export function detectFormat(head: Buffer): TraceFormat {
  let p = 0;
  const n = head.length;
  // a UTF-8 byte order mark is tolerated
  if (n >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3;
  while (p < n && (head[p] === 32 || head[p] === 9 || head[p] === 10 || head[p] === 13)) p++;
  if (p >= n) return 'ftrace';
  if (head[p] === 0x7b /* { */) return 'jsonl';
  if (head.toString('latin1', p, Math.min(n, p + CSV_HEADER_START.length)) === CSV_HEADER_START) return 'csv';
  return 'ftrace';
}
