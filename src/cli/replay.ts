/**
 * `mmreplay replay INPUT...`: replay traces (ftrace, trace-cmd, perf script, CSV, JSONL; .gz; '-' = stdin) or
 * JSON scenarios (*.json) through the simulated allocator; decision log, warn_alloc reports and a summary.
 * Exit 0 even when allocations fail; 2 on bad input; 3 on an invariant violation (--check-invariants).
 *
 * This module is the command's options only: the first trace's parser worker (replay/pipeline.ts) starts as the
 * command runs, and only then are the simulator's modules loaded (replay-run.ts), so the worker parses while they
 * load and the machine is built (about 0.2 s of start-up on the main thread).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_POLICY } from '../policy/default.js';
import { logLevels } from '../replay/log-level.js';
import { startPipeline } from '../replay/pipeline.js';
import { reporterNames } from '../report/names.js';
import type { Io } from './io.js';

export interface ReplayOpts {
  machine?: string;
  policy?: string;
  sysctl: string[];
  mode?: string;
  traceKernel?: string;
  log: string;
  format?: string;
  out?: string;
  strict?: boolean;
  checkInvariants?: string | boolean;
  kswapdRate?: string;
  allCounters?: boolean;
  color?: boolean;
}

/** default machine of a trace replayed without --machine */
export const DEFAULT_TRACE_MACHINE = 'x86_64-16G';

/** pages above which --check-invariants checks every 1000 requests rather than every request */
export const CHECK_EVERY_REQUEST_MAX_PAGES = 1 << 18;

export function register(program: Command, io: Io): void {
  program
    .command('replay')
    .description('replay traces or scenarios through the simulated page allocator: decisions, warn_alloc reports, summary')
    .argument('<input...>', "traces (ftrace, trace-cmd report, perf script, CSV, JSONL; .gz; '-' = stdin) or scenarios (*.json)")
    .addOption(new Option('--machine <spec>', 'preset, machine JSON, or /proc snapshot folder (default for traces: x86_64-16G)').helpGroup('Machine'))
    .addOption(new Option('--sysctl <k=v>', 'vm sysctl over the machine (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]).default([]).helpGroup('Machine'))
    .addOption(new Option('--policy <name>', `kernel-version policy (default ${DEFAULT_POLICY})`).helpGroup('Policy'))
    .addOption(new Option('--mode <mode>', 'mirror (follow the record at its pfns) or simulate (default: mirror for a snapshot machine under the trace kernel policy)').choices(['mirror', 'simulate']).helpGroup('Policy'))
    .addOption(new Option('--trace-kernel <version>', 'kernel that wrote the traces (default: inferred)').helpGroup('Input'))
    .addOption(new Option('--strict', 'stop at the first malformed line (exit 2)').helpGroup('Input'))
    .addOption(new Option('--kswapd-rate <pages_per_s>', 'kswapd reclaim throughput in simulated time').helpGroup('Policy'))
    .addOption(new Option('--log <level>', 'which requests to log').choices([...logLevels]).default('failures').helpGroup('Output'))
    .addOption(new Option('--format <format>', 'output format (default text)').choices([...reporterNames]).helpGroup('Output'))
    .addOption(new Option('--out <file>', 'write the output to FILE instead of stdout').helpGroup('Output'))
    .addOption(new Option('--all-counters', 'list every counter in the summary, zeros included').helpGroup('Output'))
    .addOption(new Option('--color', 'force colour in text output').helpGroup('Output'))
    .addOption(new Option('--no-color', 'no colour').helpGroup('Output'))
    .addOption(new Option('--check-invariants [every]', `check the buddy invariants after every request (machines above ${CHECK_EVERY_REQUEST_MAX_PAGES} pages: every 1000 requests), or every N; exit 3 on a violation`).helpGroup('Debug'))
    .action(async (inputs: string[], opts: ReplayOpts) => {
      const traces = !inputs.some((i) => i.endsWith('.json'));
      const pipeline = traces && inputs[0] !== '-' ? startPipeline(resolve(io.cwd, inputs[0]!), Boolean(opts.strict), opts.traceKernel, io.env) : undefined;
      try {
        const { runReplay } = await import('./replay-run.js');
        await runReplay(inputs, opts, io, pipeline);
      } finally {
        // replay() stops it when done; a run that failed before (a usage error, say) stops it here
        pipeline?.close();
      }
    });
}
