/**
 * `mmreplay check --update`: failing expectations are rewritten in place with the actual values, the rest of the
 * file byte for byte; refused (exit 2) when git shows the files dirty, unless --yes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-update-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'pipe' }).toString();

async function check(dir: string, ...args: string[]) {
  const io = memoryIo();
  io.cwd = dir;
  const code = await run(['check', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** the uses-machine fixture (hand-written layout) with a wrong zone, a wrong exact counter, a range that holds */
const SCEN = readFileSync(join(root, 'test/fixtures/check/mixed/uses-machine.json'), 'utf8')
  .replace('"zone": "DMA32", "node": 0', '"zone": "DMA", "node": 0')
  .replace('"counters": { "pgalloc_dma32": 1, "pgalloc_dma": 0 }', '"counters": { "pgalloc_dma32": 5, "pgalloc_dma": { "max": 3 } }');

let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(tmp, `repo${n++}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, 'test/fixtures/check/mixed/machine.json'), join(dir, 'machine.json'));
  writeFileSync(join(dir, 'scen.json'), SCEN);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'x');
});

describe('mmreplay check --update', () => {
  it('when expectations fail in a clean work tree then only the failing values change and the run exits 0', async () => {
    const r = await check(dir, 'scen.json', '--update');
    expect(r.out.split('\n').slice(-3)).toEqual([
      'updated scen.json: expect.requests.page.zone: DMA → DMA32',
      'updated scen.json: expect.counters.pgalloc_dma32: 5 → 1',
      '',
    ]);
    expect(r.code).toBe(0);
    const after = readFileSync(join(dir, 'scen.json'), 'utf8');
    // byte for byte the file with the two values replaced; the range { "max": 3 } held and stays
    expect(after).toBe(SCEN.replace('"zone": "DMA", "node": 0', '"zone": "DMA32", "node": 0').replace('"pgalloc_dma32": 5', '"pgalloc_dma32": 1'));
    expect((await check(dir, 'scen.json')).code).toBe(0);
  });

  it('when the scenario file has uncommitted changes then --update refuses with exit 2 and writes nothing', async () => {
    writeFileSync(join(dir, 'scen.json'), `${SCEN}\n`);
    const r = await check(dir, 'scen.json', '--update');
    expect(r.code).toBe(2);
    expect(r.err).toBe('mmreplay: --update: uncommitted changes in scen.json: commit or stash them first so the rewrite can be reviewed with git diff, or add --yes\n');
    expect(readFileSync(join(dir, 'scen.json'), 'utf8')).toBe(`${SCEN}\n`);
  });

  it('when --yes is given then a dirty file is rewritten anyway', async () => {
    writeFileSync(join(dir, 'scen.json'), `${SCEN}\n`);
    const r = await check(dir, 'scen.json', '--update', '--yes');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'scen.json'), 'utf8')).toContain('"zone": "DMA32", "node": 0');
  });

  it('when a one-line buddyinfo array of a sidecar fails then it is rewritten on one line', async () => {
    const t = join(dir, 'trace');
    mkdirSync(join(t, 'before'), { recursive: true });
    for (const f of ['trace.txt', 'before/zoneinfo', 'before/min_free_kbytes']) copyFileSync(join(root, 'test/fixtures/check/trace', f), join(t, f));
    const text = '{\n  "warnings": 0,\n  "buddyinfo": { "0/DMA32": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }\n}\n';
    writeFileSync(join(t, 'trace.expect.json'), text);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'y');
    const r = await check(dir, 'trace', '--update');
    expect(r.code).toBe(0);
    expect(readFileSync(join(t, 'trace.expect.json'), 'utf8'))
      .toBe('{\n  "warnings": 0,\n  "buddyinfo": { "0/DMA32": [0, 1, 1, 2, 3, 2, 3, 2, 3, 3, 0] }\n}\n');
  });

  it('when repetitions of a request disagree then the value is not rewritten, it is reported and the exit code stays 1', async () => {
    copyFileSync(join(root, 'test/fixtures/check/scen/repeat-fails.json'), join(dir, 'rep.json'));
    const r = await check(dir, 'rep.json', '--update', '--yes');
    expect(r.out.split('\n').slice(-3)).toEqual([
      'updated rep.json: expect.requests.big.failures: 0 → 2',
      'not updated rep.json: expect.requests.big.ok: repetitions differ (true, false)',
      '',
    ]);
    expect(r.code).toBe(1);
  });
});
