import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { replayLogSchema } from '../../src/replay/schema.js';

async function mm(args: string[]) {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

/** the subset of JSON Schema the log schema uses: oneOf by kind, required, enums, const, additionalProperties */
function checkLine(line: Record<string, unknown>, schema: { oneOf: Record<string, any>[] }): string[] {
  const s = schema.oneOf.find((o) => o.properties.kind.const === line.kind);
  if (!s) return [`unknown kind ${String(line.kind)}`];
  const errs: string[] = [];
  for (const k of s.required as string[]) if (!(k in line)) errs.push(`${line.kind}: missing ${k}`);
  for (const [k, v] of Object.entries(line)) {
    const p = s.properties[k];
    if (!p) { if (s.additionalProperties === false) errs.push(`${line.kind}: extra key ${k}`); continue; }
    if (p.enum && !p.enum.includes(v)) errs.push(`${line.kind}.${k}: ${String(v)} not in enum`);
    if (p.const !== undefined && p.const !== v) errs.push(`${line.kind}.${k}: ${String(v)} != ${p.const}`);
    if (k === 'steps') for (const st of v as { kind: string }[]) if (!p.items.properties.kind.enum.includes(st.kind)) errs.push(`step kind ${st.kind}`);
  }
  return errs;
}

describe('mmreplay replay', () => {
  it('when a scenario replays then stdout is the text log and the exit code is 0', async () => {
    const r = await mm(['replay', 'traces/scenarios/order0-fast-path.json', '--log', 'decisions', '--no-color']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('alloc order=0  GFP_KERNEL Unmovable page  fast → DMA32');
    expect(r.out).toContain('pgalloc_dma32              1');
  });
  it('when stdout asks to wait (a slow pipe) then the replay waits between chunks and writes the same log', async () => {
    const args = ['replay', 'traces/real/fork-exec/trace.txt.gz', '--machine', 'x86_64-1G', '--log', 'decisions', '--format', 'jsonl'];
    const plain = memoryIo();
    expect(await run(args, plain)).toBe(0);
    const slow = memoryIo();
    let asked = 0;
    let waited = 0;
    slow.stdoutDrain = () => (++asked % 2 === 0 ? new Promise<void>((res) => setTimeout(() => { waited++; res(); }, 1)) : undefined);
    expect(await run(args, slow)).toBe(0);
    expect(asked).toBeGreaterThan(1);
    expect(waited).toBe(Math.floor(asked / 2));
    expect(slow.out).toBe(plain.out);
  });
  it('when an order-10 GFP_ATOMIC fails then warn_alloc prints and the exit code is still 0', async () => {
    const r = await mm(['replay', 'traces/scenarios/atomic-order10-failure.json', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const w = lines.find((l) => l.kind === 'warning');
    expect(w.lines[0]).toBe('[    0.001000] nic-rx: page allocation failure: order:10, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0');
    expect(lines.find((l) => l.kind === 'alloc').path).toBe('fail');
  });
  it('when the real quiet trace replays in mirror mode with steps then every JSONL line validates against the schema', async () => {
    const r = await mm(['replay', 'traces/real/quiet/trace.txt.gz', '--machine', 'traces/real/quiet/before', '--format', 'jsonl', '--log', 'steps']);
    expect(r.code).toBe(0);
    const schema = replayLogSchema() as { oneOf: Record<string, any>[] };
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(30000);
    const errs: string[] = [];
    for (const l of lines) errs.push(...checkLine(JSON.parse(l), schema));
    expect(errs.slice(0, 5)).toEqual([]);
    const sum = JSON.parse(lines.at(-1)!);
    expect(sum.mode).toBe('mirror');
    expect(sum.agreement.recorded_ok_predicted_failed).toBe(0);
  });
  it('when the shipped schema file differs from the generator then this fails', () => {
    expect(JSON.parse(readFileSync('schema/replay-log.schema.json', 'utf8'))).toEqual(replayLogSchema());
  });
  it('when the input does not exist then exit 2 with a located message', async () => {
    const r = await mm(['replay', 'nope.txt']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nope.txt: no such file');
  });
  it('when --strict meets a malformed line then exit 2 with file:line', async () => {
    const r = await mm(['replay', 'test/fixtures/trace/bad.txt', '--strict']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.txt:\d+: /);
  });
  it('when --mode mirror has no snapshot machine then it is a usage error', async () => {
    const r = await mm(['replay', 'traces/real/quiet/trace.txt.gz', '--mode', 'mirror']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--mode mirror needs --machine');
  });
  it('when invariants are checked on a scenario then the run passes them', async () => {
    const r = await mm(['replay', 'traces/scenarios/thp-fragmented-nowarn.json', '--check-invariants', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).summary.warnings.printed).toBe(0);
  });
});

describe('golden replay outputs', () => {
  for (const t of ['quiet', 'fork-exec', 'fragment-compact']) {
    it(`${t}: mirror summary and failure log (text)`, async () => {
      const r = await mm(['replay', `traces/real/${t}/trace.txt.gz`, '--machine', `traces/real/${t}/before`, '--no-color']);
      expect(r.code).toBe(0);
      await expect(r.out).toMatchFileSnapshot(`../golden/replay/${t}.v6.18.text`);
    });
  }
  it('fragment-compact: failures as JSONL', async () => {
    const r = await mm(['replay', 'traces/real/fragment-compact/trace.txt.gz', '--machine', 'traces/real/fragment-compact/before', '--format', 'jsonl']);
    await expect(r.out).toMatchFileSnapshot('../golden/replay/fragment-compact.v6.18.jsonl');
  });
});
