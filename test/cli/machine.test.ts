import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

const snap = resolve(import.meta.dirname, '../../traces/real/fork-exec/before');
const fixtures = resolve(import.meta.dirname, '../fixtures/machine');

/** the zoneinfo lines the simulator owns: headers, watermarks, geometry, protection, pagesets, start_pfn */
const OWN = /^(Node \d+, zone|  pages free|        (boost|min|low|high|promo|spanned|present|managed|cma) |        protection:|  pagesets|    cpu:|              (count|high|batch|high_min|high_max):|  vm stats threshold|  node_unreclaimable|  start_pfn)/;
const own = (text: string): string[] => text.split('\n').filter((l) => OWN.test(l));

describe('mmreplay machine', () => {
  it('when a real snapshot is printed then its zoneinfo lines, buddyinfo and pagetypeinfo are the captured ones', async () => {
    const io = memoryIo();
    expect(await run(['machine', snap], io)).toBe(0);
    expect(io.err).toBe('');
    const [head, zoneinfo, buddyinfo, pagetypeinfo] = io.out.split(/\n==> \/proc\/\w+ <==\n/);
    expect(head).toContain('machine: ');
    expect(own(zoneinfo!)).toEqual(own(readFileSync(resolve(snap, 'zoneinfo'), 'utf8')));
    expect(buddyinfo).toBe(readFileSync(resolve(snap, 'buddyinfo'), 'utf8'));
    expect(pagetypeinfo).toBe(readFileSync(resolve(snap, 'pagetypeinfo'), 'utf8'));
  });

  it('when --only buddyinfo is given then stdout is exactly that file', async () => {
    const io = memoryIo();
    expect(await run(['machine', snap, '--only', 'buddyinfo'], io)).toBe(0);
    expect(io.out).toBe(readFileSync(resolve(snap, 'buddyinfo'), 'utf8'));
  });

  it('when --format json is given then the documented keys come out, watermarks including boost', async () => {
    const io = memoryIo();
    expect(await run(['machine', 'x86_64-16G', '--format', 'json', '--sysctl', 'watermark_scale_factor=100'], io)).toBe(0);
    const j = JSON.parse(io.out);
    expect(Object.keys(j)).toEqual(['schema', 'source', 'policy', 'cpus', 'thp', 'swap', 'sysctl', 'nodes']);
    expect(j.schema).toBe(1);
    expect(j.source).toEqual({ kind: 'preset', name: 'x86_64-16G' });
    expect(j.sysctl.watermark_scale_factor).toBe(100);
    const normal = j.nodes[0].zones[2];
    // min 13708 (pages_min 16896 share), delta = max(3427, 3340289·100/10000 = 33402) = 33402
    expect([normal.name, normal.min, normal.low, normal.high, normal.promo, normal.boost]).toEqual(['Normal', 13708, 47110, 80512, 113914, 0]);
    expect(normal.protection).toEqual([0, 0, 0, 0]);
    expect(j.nodes[0].zones.map((z: { name: string }) => z.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable']);
    expect(normal.freeByOrder[10]).toBe(3262);
  });

  it('when the machine JSON is bad then exit 2 and the JSON path is on stderr', async () => {
    const io = memoryIo();
    expect(await run(['machine', resolve(fixtures, 'bad-managed.json')], io)).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toBe(`mmreplay: ${resolve(fixtures, 'bad-managed.json')}: nodes[0].zones[1].managed: managed (70000) exceeds present (61440)\n`);
  });

  it('when the preset is unknown then exit 2 and the presets are listed', async () => {
    const io = memoryIo();
    expect(await run(['machine', 'x86_64-32G'], io)).toBe(2);
    expect(io.err).toBe("mmreplay: unknown machine 'x86_64-32G': not a snapshot folder, not a .json machine file, not a preset (presets: x86_64-1G, x86_64-4G, x86_64-16G, numa2-64G)\n");
  });

  it('when a sysctl or the policy is unknown then exit 2', async () => {
    const io = memoryIo();
    expect(await run(['machine', 'x86_64-1G', '--sysctl', 'min_free_kbytes=-1'], io)).toBe(2);
    expect(io.err).toBe('mmreplay: --sysctl min_free_kbytes=-1: min_free_kbytes must be between 0 and 2147483647\n');
    const io2 = memoryIo();
    expect(await run(['machine', 'x86_64-1G', '--policy', 'v9.9'], io2)).toBe(2);
    expect(io2.err).toMatch(/^mmreplay: unknown policy 'v9\.9'/);
  });
});
