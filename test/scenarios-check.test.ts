/**
 * `npm test` runs `mmreplay check traces/`: every library scenario (traces/scenarios/*.json) and every trace
 * sidecar under traces/ must meet its own expectations. The pass count is the number of scenarios and sidecars
 * there, so a file that stops being picked up fails this test too.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** scenario and sidecar files under traces/ (the discovery rules of src/check/discover.ts, by name) */
function expectedFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) expectedFiles(p, out);
    else if (e.name.endsWith('.json')) out.push(relative(root, p));
  }
  return out.sort();
}

describe('mmreplay check traces/', () => {
  it('when the library is checked then every scenario and trace sidecar passes and the exit code is 0', async () => {
    const io = memoryIo();
    io.cwd = root;
    const code = await run(['check', 'traces/'], io);
    const files = expectedFiles(join(root, 'traces'));
    const passed = io.out.split('\n').filter((l) => l.startsWith('PASS '));
    expect(io.out.split('\n').filter((l) => /^(FAIL|ERROR) /.test(l))).toEqual([]);
    expect(code).toBe(0);
    expect(files.length).toBeGreaterThan(0);
    expect(passed.map((l) => /\(([^)]+)\) \d+ ms/.exec(l)?.[1])).toEqual(files);
    expect(io.out.endsWith(`${files.length} passed, 0 failed\n`)).toBe(true);
  });
});
