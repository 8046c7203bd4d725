/**
 * `mmreplay check` end to end: exit codes, the PASS/FAIL lines and diffs, --format json, --junit, --policy,
 * discovery (skipped files on stderr, sidecars), and the mutations the issue asks for: a copy of a library
 * scenario with its zone / ok / path / a counter changed fails with a diff naming the field, expected and actual.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { checkJunitStructure } from '../check/junit-structure.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fx = (f: string) => `test/fixtures/check/${f}`;
const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-check-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function check(args: string[], cwd = root) {
  const io = memoryIo();
  io.cwd = cwd;
  const code = await run(['check', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** `PASS x (f) 12 ms` → `PASS x (f) N ms` (timings are not asserted) */
const noMs = (s: string) => s.replace(/ \d+ ms/g, ' N ms');

type Json = Record<string, any>;
/** the first library scenario (sorted) whose expect block has a request expectation with `key` */
function libraryScenarioWith(key: string): { file: string; json: Json; request: string } {
  const dir = join(root, 'traces/scenarios');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json;
    for (const [name, e] of Object.entries<Json>(json.expect?.requests ?? {})) {
      if (e[key] !== undefined && (key !== 'zone' || e.ok !== false)) return { file: join(dir, f), json, request: name };
    }
  }
  throw new Error(`no library scenario expects requests.*.${key}`);
}

/** writes `json` as a scenario in a fresh temp folder (a copy keeps working: its machine is inline or a preset) */
function writeCopy(name: string, json: Json): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

describe('mmreplay check: mutated library scenarios', () => {
  it('when a request zone is changed then exit 1 and the diff names requests.NAME.zone with expected and actual', async () => {
    const { json, request } = libraryScenarioWith('zone');
    const actual = json.expect.requests[request].zone as string;
    const wrong = actual === 'DMA' ? 'Normal' : 'DMA';
    json.expect.requests[request].zone = wrong;
    const file = writeCopy('zone', json);
    const r = await check([file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${json.name} (${file})\n`);
    expect(r.out).toContain(`  requests.${request}.zone: expected ${wrong}, got ${actual}\n`);
    expect(r.out).toMatch(new RegExp(`  decision log of ${request} \\(#\\d+`));
    expect(r.out.endsWith('0 passed, 1 failed\n')).toBe(true);
  });

  it('when a request ok is flipped then the diff names requests.NAME.ok', async () => {
    const { json, request } = libraryScenarioWith('ok');
    const actual = json.expect.requests[request].ok as boolean;
    json.expect.requests[request].ok = !actual;
    const r = await check([writeCopy('ok', json)]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`  requests.${request}.ok: expected ${!actual}, got ${actual}\n`);
  });

  it('when a request path is changed then the diff names requests.NAME.path', async () => {
    const { json, request } = libraryScenarioWith('path');
    const actual = json.expect.requests[request].path as string;
    const wrong = actual === 'oom' ? 'fast' : 'oom';
    json.expect.requests[request].path = wrong;
    const r = await check([writeCopy('path', json)]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`  requests.${request}.path: expected ${wrong}, got ${actual}\n`);
  });

  it('when an exact counter is changed then the diff names counters.NAME; JUnit holds the failure and validates', async () => {
    const lib = join(root, 'traces/scenarios');
    let picked: { json: Json; name: string; value: number } | undefined;
    for (const f of readdirSync(lib).filter((n) => n.endsWith('.json')).sort()) {
      const json = JSON.parse(readFileSync(join(lib, f), 'utf8')) as Json;
      const c = Object.entries(json.expect?.counters ?? {}).find(([, v]) => typeof v === 'number');
      if (c) { picked = { json, name: c[0], value: c[1] as number }; break; }
    }
    const { json, name, value } = picked!;
    json.expect.counters[name] = value + 7;
    const file = writeCopy('counter', json);
    const junit = join(tmp, 'counter.xml');
    const r = await check([file, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`  counters.${name}: expected ${value + 7}, got ${value}\n`);
    const xml = readFileSync(junit, 'utf8');
    expect(checkJunitStructure(xml)).toEqual([]);
    expect(xml).toContain(`tests="1" failures="1" errors="0"`);
    expect(xml).toContain(`<testcase classname="${join(tmp, 'counter')}" name="${json.name}"`);
    expect(xml).toContain(`<failure message="counters.${name}: expected ${value + 7}, got ${value}" type="expectation">`);
  });
});

describe('mmreplay check: output', () => {
  it('when a repeated request fails on some repetitions then the diff says which repetition and the decision log is of that one', async () => {
    // repeat-fails.json: after the order-0 "one" split a block, one free order-10 block is left (2048 pages = two
    // order-10 blocks), so big's first repetition is served and the second and third fail (request seq #3, #4)
    const r = await check([fx('scen/repeat-fails.json')]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'FAIL repeat-two-blocks (test/fixtures/check/scen/repeat-fails.json)',
      '  requests.big.ok (repetition 2 of 3; 2 failed): expected true, got false',
      '  requests.big.failures: expected 0, got 2',
      '  decision log of big (#3, repetition 2 of 3): order=10 GFP_ATOMIC|__GFP_NOWARN Unmovable  fail → failed',
    ]);
    expect(lines).toContain('    wmark            DMA32   free=1023 mark=40 reserve=0 result=0 alloc_flags=0x801 aux=0');
  });

  it('when --format json then stdout is one document with schema, results, passed and failed', async () => {
    const r = await check([fx('scen/repeat-fails.json'), fx('trace/trace.expect.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as Json;
    expect(doc.schema).toBe(1);
    expect(doc.passed).toBe(1);
    expect(doc.failed).toBe(1);
    expect(doc.results.map((x: Json) => [x.file, x.name, x.ok])).toEqual([
      ['test/fixtures/check/scen/repeat-fails.json', 'repeat-two-blocks', false],
      ['test/fixtures/check/trace/trace.expect.json', 'test/fixtures/check/trace/trace.txt', true],
    ]);
    expect(doc.results[0].failures).toEqual([
      { field: 'requests.big.ok', expected: true, actual: false, repetition: 2, repetitions: 3, failed_repetitions: 2 },
      { field: 'requests.big.failures', expected: 0, actual: 2 },
    ]);
    expect(typeof doc.results[0].ms).toBe('number');
  });

  it('when a folder holds other files then they are listed on stderr as skipped and the rest runs in sorted order', async () => {
    const r = await check([fx('trace'), fx('scen')]);
    expect(r.code).toBe(1);
    expect(noMs(r.out).split('\n').filter((l) => /^(PASS|FAIL)/.test(l))).toEqual([
      'FAIL repeat-two-blocks (test/fixtures/check/scen/repeat-fails.json)',
      'PASS test/fixtures/check/trace/trace.txt (test/fixtures/check/trace/trace.expect.json) N ms',
    ]);
    // the trace and its before/ snapshot belong to the sidecar: not listed
    expect(r.err).toBe('');
    const r2 = await check([fx('mixed')]);
    expect(r2.err).toBe('skipped: test/fixtures/check/mixed/machine.json (not a scenario or trace sidecar)\n'
      + 'skipped: test/fixtures/check/mixed/notes.txt (not a scenario or trace sidecar)\n');
    expect(noMs(r2.out)).toBe('PASS uses-machine-file (test/fixtures/check/mixed/uses-machine.json) N ms\n1 passed, 0 failed\n');
    expect(r2.code).toBe(0);
  });

  it('when a trace sidecar expectation fails then the diff names the counter and the buddyinfo zone', async () => {
    const dir = join(tmp, 'sidecar');
    mkdirSync(join(dir, 'before'), { recursive: true });
    for (const f of ['trace.txt', 'before/zoneinfo', 'before/min_free_kbytes']) copyFileSync(join(root, fx(`trace/${f}`)), join(dir, f));
    writeFileSync(join(dir, 'trace.expect.json'), JSON.stringify({ counters: { pgfree: 4 }, buddyinfo: { '0/DMA32': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } }));
    const r = await check(['.'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe('FAIL trace.txt (trace.expect.json)\n'
      + '  counters.pgfree: expected 4, got 3\n'
      + '  buddyinfo["0/DMA32"]: expected [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], got [0, 1, 1, 2, 3, 2, 3, 2, 3, 3, 0]\n'
      + '0 passed, 1 failed\n');
  });

  it('when a sidecar names its machine and policy then the trace replays there, in simulate mode', async () => {
    // the fixture trace without its before/ snapshot: the sidecar says where and under which kernel to replay it
    const dir = join(tmp, 'sidecar-machine');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(root, fx('trace/trace.txt')), join(dir, 'trace.txt'));
    writeFileSync(join(dir, 'trace.expect.json'), JSON.stringify({ machine: 'x86_64-1G', policy: 'v5.15', counters: { pgfree: 3 } }));
    const r = await check(['.', '--format', 'json'], dir);
    const j = JSON.parse(r.out) as { results: { ok: boolean; run: { mode: string; machine: string; policy: string } }[] };
    expect(j.results[0]!.run).toEqual({ mode: 'simulate', machine: 'x86_64-1G', policy: 'v5.15' });
    expect(j.results[0]!.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});

describe('mmreplay check: errors and options', () => {
  it('when a scenario is invalid then nothing runs, every issue is located on stderr and the exit code is 2', async () => {
    const r = await check([fx('invalid'), fx('scen/repeat-fails.json')]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('test/fixtures/check/invalid/bad.json: expect.requests.nope: no alloc request is named "nope"\n'
      + 'test/fixtures/check/invalid/bad.json: expect.counters.pgalloc_dma33: unknown counter "pgalloc_dma33" (did you mean "pgalloc_dma32"?)\n'
      + 'mmreplay: 1 invalid file: nothing was run\n');
  });

  it('when a sidecar has no trace beside it then exit 2 naming the rule', async () => {
    const dir = join(tmp, 'orphan');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lost.expect.json'), '{ "warnings": 0 }\n');
    const r = await check(['lost.expect.json'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe('mmreplay: lost.expect.json: no trace for this sidecar: expected lost or lost.{txt,trace,report,perf,csv,jsonl,dat}[.gz] beside it\n');
  });

  it('when nothing under the paths is a scenario or sidecar then exit 2 (a misdirected CI job must not pass)', async () => {
    const r = await check(['test/fixtures/check/trace/before']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('skipped: test/fixtures/check/trace/before/min_free_kbytes (not a scenario or trace sidecar)\n'
      + 'skipped: test/fixtures/check/trace/before/zoneinfo (not a scenario or trace sidecar)\n'
      + 'mmreplay: no scenario or trace sidecar in test/fixtures/check/trace/before\n');
  });

  it('when a path does not exist or the policy is unknown then exit 2', async () => {
    expect((await check(['nowhere/'])).err).toBe('mmreplay: nowhere/: no such file or folder\n');
    const r = await check([fx('scen'), '--policy', 'v9.9']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('mmreplay: --policy v9.9: unknown policy (known: v4.0, v4.12, v5.0, v5.15, v6.1, v6.6, v6.18)\n');
  });

  it('when --policy names another kernel then every scenario runs under it and the JSON says so', async () => {
    const r = await check([fx('mixed'), fx('trace'), '--policy', 'v6.6', '--format', 'json']);
    const doc = JSON.parse(r.out) as Json;
    expect(doc.results.map((x: Json) => x.run)).toEqual([
      { mode: 'simulate', machine: 'machine.json', policy: 'v6.6' },
      // under another policy the trace's record is no longer the kernel's own: simulate on its snapshot
      { mode: 'simulate', machine: 'before', policy: 'v6.6' },
    ]);
  });
});
