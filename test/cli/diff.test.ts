/** `mmreplay diff` end to end: exit codes, usage errors, JSON shape, the text report (golden). */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

async function mm(args: string[]) {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

const SCEN = 'traces/scenarios/policy-retry-mayfail-oom.json';

describe('mmreplay diff', () => {
  it('when outcomes differ then --fail-on-diff exits 1, and without it the exit code is 0', async () => {
    expect((await mm(['diff', SCEN, '--policy', 'v4.12', '--policy', 'v5.0', '--fail-on-diff'])).code).toBe(1);
    expect((await mm(['diff', SCEN, '--policy', 'v4.12', '--policy', 'v5.0'])).code).toBe(0);
  });

  it('when no outcome differs then --fail-on-diff exits 0', async () => {
    // v5.0 and v5.15 both skip the OOM killer for __GFP_RETRY_MAYFAIL
    const r = await mm(['diff', SCEN, '--policy', 'v5.0', '--policy', 'v5.15', '--fail-on-diff']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('divergences: 0 of 1 allocations decided differently');
  });

  it('when the command line names no two sides then it is a usage error (exit 2)', async () => {
    expect(await mm(['diff', SCEN, '--policy', 'v5.0'])).toMatchObject({
      code: 2, out: '', err: 'mmreplay: diff needs two sides: --policy A --policy B, --machine A --machine B, or --sysctl-a k=v / --sysctl-b k=v\n',
    });
    expect(await mm(['diff', SCEN, '--policy', 'v5.0', '--policy', 'v5.15', '--policy', 'v6.1'])).toMatchObject({
      code: 2, err: 'mmreplay: --policy given 3 times: a diff has two sides (give it twice, or once for both)\n',
    });
    expect(await mm(['diff', SCEN, '--policy', 'v5.0', '--policy', 'v9.9'])).toMatchObject({
      code: 2, err: 'mmreplay: --policy v9.9: unknown policy (known: v4.0, v4.12, v5.0, v5.15, v6.1, v6.6, v6.18)\n',
    });
    expect(await mm(['diff', 'nope.trace', '--policy', 'v5.0', '--policy', 'v6.18'])).toMatchObject({ code: 2, err: 'mmreplay: nope.trace: no such file\n' });
  });

  it('when --format json then stdout is one object with sides, outcomes, counters and divergences {seq, a, b, reason}', async () => {
    const r = await mm(['diff', SCEN, '--policy', 'v4.12', '--policy', 'v5.0', '--format', 'json']);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['schema', 'kind', 'inputs', 'mode', 'sides', 'outcomes', 'counters', 'requests', 'divergence_count',
      'divergences', 'divergences_omitted', 'first_drift', 'first_logs']);
    expect(j.sides).toEqual([
      { name: 'A', label: 'v4.12', policy: 'v4.12', machine: 'small-64M', sysctl: {}, gfp_unmapped: [] },
      { name: 'B', label: 'v5.0', policy: 'v5.0', machine: 'small-64M', sysctl: {}, gfp_unmapped: [] },
    ]);
    const d = (j.divergences as Record<string, unknown>[])[0]!;
    expect(Object.keys(d)).toEqual(['seq', 'time', 'task', 'pid', 'order', 'gfp', 'a', 'b', 'reason', 'explained_by', 'first', 'name']);
    expect((j.outcomes as { a: { failed: number }; b: { failed: number } }).a.failed).toBe(0);
    expect((j.outcomes as { a: { failed: number }; b: { failed: number } }).b.failed).toBe(1);
    // A's OOM kill freed the victim's 8192 pages; B never freed anything
    expect((j.counters as Record<string, unknown>).pgfree).toEqual([8192, 0]);
  });

  it('when two policies diverge then the text report matches the golden file', async () => {
    const r = await mm(['diff', SCEN, '--policy', 'v4.12', '--policy', 'v5.0']);
    expect(r.err).toBe('');
    await expect(r.out).toMatchFileSnapshot('../golden/diff/policy-retry-mayfail-oom.v4.12-v5.0.txt');
  });
});
