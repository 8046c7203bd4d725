/**
 * The scenario library (traces/scenarios/*.json) as a whole: every file validates, carries a one-line
 * description, is listed in traces/scenarios/README.md, and `mmreplay check traces/scenarios` passes every
 * one of them. The library keeps at least 25 scenarios (one per mechanism and one per version change).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(root, 'traces/scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('traces/scenarios library', () => {
  it('when the library is listed then it holds at least 25 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it('when every scenario is validated then each one is valid', async () => {
    const io = memoryIo();
    io.cwd = root;
    const code = await run(['validate', ...files.map((f) => `traces/scenarios/${f}`)], io);
    expect(io.err).toBe('');
    expect(io.out.trim().split('\n')).toEqual(files.map((f) => `traces/scenarios/${f}: ok`));
    expect(code).toBe(0);
  });

  it('when a scenario is read then its name is its file name and its description is one non-empty line', () => {
    for (const f of files) {
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name: string; description: string };
      expect(s.name, f).toBe(f.replace(/\.json$/, ''));
      expect(s.description.trim().length, f).toBeGreaterThan(0);
      expect(s.description, f).not.toMatch(/\n/);
    }
  });

  it('when the README table is read then it lists every scenario file exactly once and no other', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| ([\w.-]+\.json) \| (.+) \|$/gm)].map((m) => m[1]!);
    expect([...listed].sort()).toEqual(files);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('when the library is checked then every scenario meets its expect block', async () => {
    const io = memoryIo();
    io.cwd = root;
    const code = await run(['check', 'traces/scenarios'], io);
    expect(io.out.split('\n').filter((l) => /^(FAIL|ERROR) /.test(l))).toEqual([]);
    expect(io.out.split('\n').filter((l) => l.startsWith('PASS ')).length).toBe(files.length);
    expect(io.out.endsWith(`${files.length} passed, 0 failed\n`)).toBe(true);
    expect(code).toBe(0);
  });
});
