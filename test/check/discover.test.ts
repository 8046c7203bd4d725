/**
 * src/check/discover.ts: which files `mmreplay check` runs, the sidecar naming rule, and the machine of a sidecar.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover, sidecarTrace } from '../../src/check/discover.js';

const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-discover-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

describe('discover', () => {
  it('when a folder is given then it is searched recursively in sorted order; sidecars, scenarios and skipped files are told apart', () => {
    const dir = tree('mix', {
      'b/z.json': '{}', 'a.json': '{"name":"x"}', 'm.json': '{"nodes":[]}', 'notes.md': '',
      'cap/trace.txt.gz': '', 'cap/trace.expect.json': '{}', 'cap/before/zoneinfo': '', 'cap/after/zoneinfo': '',
      '.git/x.json': '{}',
    });
    const d = discover(['.'], dir);
    expect(d.items.map((i) => [i.kind, i.file])).toEqual([
      ['scenario', 'a.json'], ['scenario', 'b/z.json'], ['sidecar', 'cap/trace.expect.json'],
    ]);
    expect(d.items[2]).toMatchObject({ traceFile: 'cap/trace.txt.gz', machine: join(dir, 'cap/before'), mode: 'mirror' });
    // the claimed trace and its before/ snapshot are not listed; after/ is
    expect(d.skipped).toEqual(['cap/after/zoneinfo', 'm.json', 'notes.md']);
  });

  it('when a machine file is named explicitly then it is taken as a scenario (and will fail validation)', () => {
    const dir = tree('explicit', { 'm.json': '{"nodes":[]}' });
    expect(discover(['m.json'], dir).items.map((i) => i.kind)).toEqual(['scenario']);
  });

  it('when a sidecar has no snapshot folder then its trace replays on x86_64-16G in simulate mode', () => {
    const dir = tree('nosnap', { 'run.csv': '', 'run.expect.json': '{}' });
    expect(discover(['run.expect.json'], dir).items[0]).toMatchObject({ traceFile: 'run.csv', machine: 'x86_64-16G', mode: 'simulate' });
  });
});

describe('sidecarTrace', () => {
  it('when X itself exists then it is the trace; otherwise exactly one X.<ext>[.gz]', () => {
    const dir = tree('names', { 'a.txt.gz': '', 'a.txt.gz.expect.json': '', 'b.jsonl': '', 'b.expect.json': '', 'c.txt': '', 'c.csv.gz': '', 'c.expect.json': '', 'd.expect.json': '', 'd.png': '' });
    expect(sidecarTrace(join(dir, 'a.txt.gz.expect.json'), 'a')).toBe(join(dir, 'a.txt.gz'));
    expect(sidecarTrace(join(dir, 'b.expect.json'), 'b')).toBe(join(dir, 'b.jsonl'));
    expect(() => sidecarTrace(join(dir, 'c.expect.json'), 'c.expect.json')).toThrow('c.expect.json: more than one trace for this sidecar: c.csv.gz, c.txt');
    expect(() => sidecarTrace(join(dir, 'd.expect.json'), 'd.expect.json')).toThrow('d.expect.json: no trace for this sidecar: expected d or d.{txt,trace,report,perf,csv,jsonl,dat}[.gz] beside it');
  });
});
