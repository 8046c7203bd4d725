/**
 * `mmreplay check PATH...`: runs the expectations of scenarios and of traces' `*.expect.json` sidecars (files, or
 * folders searched recursively); a PASS/FAIL line per scenario, a compact diff with the decision log of each
 * failing request, `N passed, N failed`. Exit 0 all pass, 1 any fails, 2 invalid input (nothing runs), 3 an
 * invariant violation. `--junit FILE` writes JUnit XML; `--update` rewrites failing expectations in place.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../errors.js';
import { getPolicy, policyNames } from '../policy/index.js';
import { checkPaths, type CheckReport, type CheckResult } from '../check/check.js';
import { formatDiff, formatFailure, formatJson, formatStatus, formatTotals, formatValue } from '../check/render.js';
import { planUpdate, type UpdatePlan } from '../check/update.js';
import { formatJunit, type JunitCase } from '../report/junit.js';
import { formatIssue } from '../scenario/load.js';
import { makeChalk, useColor } from './color.js';
import type { Io } from './io.js';

interface CheckOpts {
  junit?: string;
  format: 'text' | 'json';
  policy?: string;
  update?: boolean;
  yes?: boolean;
  color?: boolean;
}

export function register(program: Command, io: Io): void {
  program
    .command('check')
    .description('run the expectations of scenarios and trace sidecars (*.expect.json); exit 1 when any fails')
    .argument('<path...>', 'scenario files, trace sidecars, or folders (searched recursively)')
    .addOption(new Option('--policy <name>', 'run everything under this kernel-version policy instead of each scenario\'s own').helpGroup('Policy'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text').helpGroup('Output'))
    .addOption(new Option('--junit <file>', 'also write JUnit XML (one testcase per scenario) to FILE').helpGroup('Output'))
    .addOption(new Option('--color', 'force colour in text output').helpGroup('Output'))
    .addOption(new Option('--no-color', 'no colour').helpGroup('Output'))
    .addOption(new Option('--update', 'rewrite failing expectations with the actual results (refused when the files have uncommitted changes)').helpGroup('Update'))
    .addOption(new Option('--yes', 'with --update: rewrite even files with uncommitted changes (or outside git)').helpGroup('Update'))
    .action(async (paths: string[], opts: CheckOpts) => {
      await runCheck(paths, opts, io);
    });
}

async function runCheck(paths: string[], opts: CheckOpts, io: Io): Promise<void> {
  let policy;
  if (opts.policy !== undefined) {
    policy = getPolicy(opts.policy);
    if (!policy) throw new UsageError(`--policy ${opts.policy}: unknown policy (known: ${policyNames.join(', ')})`);
  }
  if (opts.yes && !opts.update) throw new UsageError('--yes only goes with --update');
  const rep = await checkPaths(paths, io.cwd, { policy, keepResults: Boolean(opts.update) });
  for (const s of rep.skipped) io.stderr(`skipped: ${s} (not a scenario or trace sidecar)\n`);
  if (rep.invalid.length > 0) {
    for (const f of rep.invalid) for (const i of f.issues) io.stderr(`${formatIssue(f.file, i)}\n`);
    io.stderr(`mmreplay: ${rep.invalid.length} invalid file${rep.invalid.length > 1 ? 's' : ''}: nothing was run\n`);
    io.exitCode = ExitCode.USAGE_OR_INPUT;
    return;
  }
  // a CI job pointed at the wrong folder must not pass silently
  if (rep.results.length === 0) throw new UsageError(`no scenario or trace sidecar in ${paths.join(', ')}`);

  if (opts.format === 'json') {
    io.stdout(formatJson(rep));
  } else {
    const c = await makeChalk(useColor(io.env, opts.color, io.stdoutIsTTY));
    for (const r of rep.results) io.stdout(formatStatus(r, c) + formatDiff(r));
    io.stdout(formatTotals(rep));
  }
  if (opts.junit) writeFileSync(resolve(io.cwd, opts.junit), formatJunit(rep.results.map(junitCase), rep.ms / 1000));

  let unresolved = 0;
  if (opts.update) unresolved = update(rep, opts, io);
  io.exitCode = exitCode(rep, opts.update ? unresolved : undefined);
}

/** 2 input error while replaying, 3 invariant, 1 a failure (with --update: one left unresolved), 0 */
function exitCode(rep: CheckReport, unresolvedAfterUpdate: number | undefined): number {
  const errs = rep.results.filter((r) => r.error).map((r) => r.error!.exitCode);
  if (errs.includes(ExitCode.USAGE_OR_INPUT)) return ExitCode.USAGE_OR_INPUT;
  if (errs.length > 0) return Math.max(...errs);
  const failed = unresolvedAfterUpdate ?? rep.results.filter((r) => !r.ok).length;
  return failed > 0 ? ExitCode.EXPECTATION_FAILED : ExitCode.OK;
}

export function junitCase(r: CheckResult): JunitCase {
  const c: JunitCase = { classname: dirname(r.file), name: r.name, seconds: r.ms / 1000, systemOut: r.file };
  if (r.error) c.error = { message: r.error.message.split('\n')[0]!, type: r.error.exitCode === ExitCode.INVARIANT ? 'invariant' : 'input' };
  else if (!r.ok) {
    const first = formatFailure(r.failures[0]!);
    const more = r.failures.length > 1 ? ` (and ${r.failures.length - 1} more)` : '';
    c.failure = { message: `${first}${more}`, text: formatDiff(r, '') };
  }
  return c;
}

/** files among `files` with uncommitted changes (or untracked); undefined when git cannot tell */
function dirtyFiles(files: string[], cwd: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--', ...files], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((l) => l.length > 3).map((l) => l.slice(3));
  } catch {
    return undefined;
  }
}

/** --update: rewrites failing expectations; returns how many could not be rewritten */
function update(rep: CheckReport, opts: CheckOpts, io: Io): number {
  const plans: { plan: UpdatePlan; abs: string }[] = [];
  for (const r of rep.results) {
    if (r.ok || r.error) continue;
    const abs = resolve(io.cwd, r.file);
    plans.push({ plan: planUpdate(r, readFileSync(abs, 'utf8')), abs });
  }
  const writes = plans.filter((p) => p.plan.changes.length > 0);
  if (writes.length > 0 && !opts.yes) {
    const dirty = dirtyFiles(writes.map((p) => p.abs), io.cwd);
    if (dirty === undefined) throw new UsageError('--update: cannot ask git whether the files have uncommitted changes (not a git work tree?); add --yes to rewrite them anyway');
    if (dirty.length > 0) {
      throw new UsageError(`--update: uncommitted changes in ${dirty.join(', ')}: commit or stash them first so the rewrite can be reviewed with git diff, or add --yes`);
    }
  }
  // what changed is the result of --update: stdout, unless stdout is the JSON document
  const say = opts.format === 'json' ? io.stderr : io.stdout;
  let unresolved = 0;
  for (const { plan, abs } of plans) {
    for (const ch of plan.changes) say(`updated ${plan.file}: ${ch.field}: ${formatValue(ch.from)} → ${formatValue(ch.to)}\n`);
    for (const u of plan.unresolved) say(`not updated ${plan.file}: ${u.field}: ${u.reason}\n`);
    unresolved += plan.unresolved.length;
    if (plan.changes.length > 0) writeFileSync(abs, plan.text);
  }
  return unresolved;
}
