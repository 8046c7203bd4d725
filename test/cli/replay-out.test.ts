import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

async function mm(args: string[]) {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

const dir = mkdtempSync(join(tmpdir(), 'mmreplay-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mmreplay replay --out', () => {
  it('when --out names a file then it holds exactly what stdout would, and stdout is empty', async () => {
    const scen = 'traces/scenarios/costly-order-failure-warning.json';
    for (const format of ['jsonl', 'text', 'json']) {
      const toStdout = await mm(['replay', scen, '--log', 'steps', '--format', format]);
      const file = join(dir, `out.${format}`);
      const toFile = await mm(['replay', scen, '--log', 'steps', '--format', format, '--out', file]);
      expect(toFile.code).toBe(0);
      expect(toFile.out).toBe('');
      expect(toStdout.out.length).toBeGreaterThan(1000);
      expect(readFileSync(file, 'utf8')).toBe(toStdout.out);
    }
  });

  it('when a trace log is longer than one write chunk then the file holds all of it', async () => {
    const trace = 'traces/real/fork-exec/trace.txt.gz';
    const toStdout = await mm(['replay', trace, '--machine', 'x86_64-16G', '--log', 'decisions', '--format', 'jsonl']);
    const file = join(dir, 'fork-exec.jsonl');
    const toFile = await mm(['replay', trace, '--machine', 'x86_64-16G', '--log', 'decisions', '--format', 'jsonl', '--out', file]);
    expect(toFile.code).toBe(0);
    expect(toStdout.out.length).toBeGreaterThan(1 << 20);
    expect(readFileSync(file, 'utf8')).toBe(toStdout.out);
  });

  it('when --out cannot be opened then the run stops at once with a located error and exit 2', async () => {
    const r = await mm(['replay', 'traces/scenarios/noretry.json', '--out', join(dir, 'no-such-dir', 'x.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^mmreplay: .*no-such-dir\/x\.jsonl: cannot write: ENOENT: no such file or directory, open '.*x\.jsonl'\n$/);
  });
});
