/**
 * `mmreplay convert TRACE --to jsonl|csv [--out FILE]`: rewrites any trace mmreplay reads as its own JSONL event
 * stream or CSV (formats documented in src/trace/jsonl.ts and src/trace/csv.ts), losslessly for every field
 * mmreplay keeps, with the inferred kernel era in the header. Streams: output is flushed every 64 KiB, so memory
 * does not grow with the trace (with --out the writes are synchronous).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { readTrace } from '../trace/read.js';
import { jsonlEvent, jsonlHeader } from '../trace/jsonl.js';
import { csvHeader, csvRow } from '../trace/csv.js';
import type { TraceEvent } from '../trace/event.js';
import type { Io } from './io.js';

interface ConvertOpts { to: string; out?: string; strict?: boolean; traceKernel?: string }

const FLUSH = 64 * 1024;

export function register(program: Command, io: Io): void {
  program
    .command('convert')
    .description("convert a trace to mmreplay's JSONL event stream or CSV (lossless; the kernel era goes in the header)")
    .argument('<trace>', "trace file (ftrace, trace-cmd report, perf script, CSV, JSONL; .gz read transparently; '-' = stdin)")
    .addOption(new Option('--to <format>', 'output format (scenario: not built yet)').choices(['jsonl', 'csv', 'scenario']).makeOptionMandatory())
    .option('--out <file>', 'write to FILE instead of stdout')
    .option('--strict', 'stop at the first malformed line (exit 2)')
    .option('--trace-kernel <version>', 'kernel that wrote the trace (e.g. 5.15), instead of inferring it')
    .action(async (trace: string, opts: ConvertOpts) => {
      if (opts.to === 'scenario') throw new UsageError('convert --to scenario is not built yet (a later issue); use --to jsonl or --to csv');
      let fd = -1;
      if (opts.out !== undefined) {
        try {
          fd = openSync(opts.out, 'w');
        } catch (e) {
          throw new InputError(opts.out, `cannot write: ${(e as Error).message}`, 'output.open');
        }
      }
      let buf = '';
      const flush = (): void => {
        if (buf === '') return;
        if (fd >= 0) writeSync(fd, buf);
        else io.stdout(buf);
        buf = '';
      };
      const jsonl = opts.to === 'jsonl';
      let started = false;
      const start = (format: string, kernelEra: string, gfpEra: string): void => {
        started = true;
        buf += jsonl ? jsonlHeader(format, kernelEra, gfpEra) : csvHeader();
      };
      let firstRow = true;
      const onEvent = (ev: TraceEvent): void => {
        if (!started) start(ev.format, ev.kernelEra, ev.gfpEra);
        if (jsonl) buf += jsonlEvent(ev);
        else {
          buf += csvRow(ev, firstRow ? { kernelEra: ev.kernelEra, gfpEra: ev.gfpEra, format: ev.format } : null);
          firstRow = false;
        }
        if (buf.length >= FLUSH) flush();
      };
      try {
        // backpressure: with --out the writes are synchronous; to stdout, wait when the Io says its stream is full
        const drain = io.stdoutDrain;
        const pause = fd < 0 && drain ? (): Promise<void> | undefined => { flush(); return drain(); } : undefined;
        const r = await readTrace(trace, io.stdin, { strict: Boolean(opts.strict), traceKernel: opts.traceKernel, pause }, onEvent,
          (msg) => io.stderr(`mmreplay: ${msg}\n`));
        if (!started) start(r.format, r.kernelEra, r.gfpEra);
        flush();
        if (r.lines === 0) io.stderr(`mmreplay: ${trace === '-' ? '<stdin>' : trace}: empty trace (no events)\n`);
      } finally {
        if (fd >= 0) closeSync(fd);
      }
    });
}
