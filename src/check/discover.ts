/**
 * What `mmreplay check PATH...` runs: files given, and the files under folders given (recursively, in sorted path
 * order; folders whose name starts with `.` and `node_modules` are not entered).
 *
 * Naming rules (README "mmreplay check"):
 *  - `X.expect.json` is a trace's sidecar: the trace is the file `X` itself when it exists, otherwise the one file
 *    beside it named `X.<ext>` or `X.<ext>.gz` with <ext> one of txt, trace, report, perf, csv, jsonl, dat (so
 *    `trace.expect.json` goes with `trace.txt.gz`). None or several such files is an input error.
 *  - Its machine: a `/proc` snapshot folder `before/` beside the trace (the layout of traces/real/<capture>/),
 *    replayed in mirror mode; without one, the preset x86_64-16G in simulate mode (as `mmreplay replay` does).
 *  - Any other `*.json` is a scenario, validated as `mmreplay validate` does — except, inside a folder, a JSON
 *    object with a top-level `nodes` key and no `requests` (a machine file a scenario refers to), which is skipped.
 *  - Every other file is skipped (listed on stderr by the command), except a trace that a sidecar claims and the
 *    files of the snapshot folder its machine comes from.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { isExpectSidecar } from '../scenario/load.js';

/** trace extensions a sidecar's base name may be followed by (each optionally `.gz`) */
export const TRACE_EXTENSIONS = ['txt', 'trace', 'report', 'perf', 'csv', 'jsonl', 'dat'] as const;
/** snapshot folder beside a trace that makes its machine */
export const SNAPSHOT_DIR = 'before';
/** machine of a sidecar trace without a snapshot (the `mmreplay replay` default) */
export const SIDECAR_DEFAULT_MACHINE = 'x86_64-16G';

export interface ScenarioItem {
  kind: 'scenario';
  /** path as shown (relative to the working directory when under it) */
  file: string;
  abs: string;
}

export interface SidecarItem {
  kind: 'sidecar';
  file: string;
  abs: string;
  /** the trace the sidecar describes */
  trace: string;
  traceFile: string;
  /** machine spec: snapshot folder (absolute) or preset */
  machine: string;
  mode: 'mirror' | 'simulate';
}

export type CheckItem = ScenarioItem | SidecarItem;

export interface Discovered {
  items: CheckItem[];
  /** files that are neither scenarios nor sidecars (shown paths) */
  skipped: string[];
}

/** the path users see: relative to cwd when inside it, as given otherwise */
function shown(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : abs;
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(p, out);
    } else if (e.isFile() || e.isSymbolicLink()) {
      out.push(p);
    }
  }
}

/** a JSON machine file found in a folder (a scenario's `machine` reference), not a scenario */
function isMachineFile(abs: string): boolean {
  try {
    const v: unknown = JSON.parse(readFileSync(abs, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) && 'nodes' in v && !('requests' in v);
  } catch {
    return false;
  }
}

/** the trace `X.expect.json` describes (see the file header); InputError when there is none or more than one */
export function sidecarTrace(abs: string, file: string): string {
  const dir = dirname(abs);
  const base = basename(abs).slice(0, -'.expect.json'.length);
  const exact = join(dir, base);
  if (existsSync(exact) && statSync(exact).isFile()) return exact;
  const names = new Set<string>();
  for (const ext of TRACE_EXTENSIONS) names.add(`${base}.${ext}`).add(`${base}.${ext}.gz`);
  names.add(`${base}.gz`);
  const found = readdirSync(dir).filter((n) => names.has(n)).sort();
  if (found.length === 1) return join(dir, found[0]!);
  if (found.length === 0) {
    throw new InputError(file, `no trace for this sidecar: expected ${base} or ${base}.{${TRACE_EXTENSIONS.join(',')}}[.gz] beside it`);
  }
  throw new InputError(file, `more than one trace for this sidecar: ${found.join(', ')}`);
}

/** Resolves the command line into check items (sorted, no duplicates) and skipped files. */
export function discover(paths: readonly string[], cwd: string): Discovered {
  const files = new Map<string, boolean>(); // abs → given explicitly
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    if (statSync(abs).isDirectory()) {
      const found: string[] = [];
      walk(abs, found);
      for (const f of found) if (!files.has(f)) files.set(f, false);
    } else {
      files.set(abs, true);
    }
  }
  const sorted = [...files.keys()].sort();
  const items: CheckItem[] = [];
  const claimed = new Set<string>();
  const claimedDirs: string[] = [];
  const others: string[] = [];
  for (const abs of sorted) {
    const file = shown(abs, cwd);
    if (isExpectSidecar(abs)) {
      const trace = sidecarTrace(abs, file);
      claimed.add(trace);
      const snap = join(dirname(trace), SNAPSHOT_DIR);
      const hasSnap = existsSync(join(snap, 'zoneinfo'));
      if (hasSnap) claimedDirs.push(snap + sep);
      items.push({
        kind: 'sidecar', file, abs, trace, traceFile: shown(trace, cwd),
        machine: hasSnap ? snap : SIDECAR_DEFAULT_MACHINE, mode: hasSnap ? 'mirror' : 'simulate',
      });
    } else if (abs.endsWith('.json') && (files.get(abs) || !isMachineFile(abs))) {
      items.push({ kind: 'scenario', file, abs });
    } else {
      others.push(abs);
    }
  }
  const skipped = others.filter((a) => !claimed.has(a) && !claimedDirs.some((d) => a.startsWith(d))).map((a) => shown(a, cwd));
  return { items, skipped };
}
