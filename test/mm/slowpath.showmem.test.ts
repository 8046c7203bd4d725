import { describe, expect, it } from 'vitest';
import { replayScenario, stripDmesg } from '../scenarios/replay.js';

describe('warn_alloc from the slow path', () => {
  it('when the machine has 4 zone types then lowmem_reserve[] has 4 entries (MAX_NR_ZONES of that build)', async () => {
    // costly-order-failure-warning.json: an inline DMA + 64 MiB DMA32 machine without a Device zone (MAX_NR_ZONES 4).
    // DMA's reserve against DMA32 and above: 16384 managed DMA32 pages / ratio 256 = 64; DMA32 reserves nothing.
    const r = await replayScenario('traces/scenarios/costly-order-failure-warning.json');
    const lines = r.warnings.flatMap((w) => w.lines.map(stripDmesg)).filter((l) => l.startsWith('lowmem_reserve[]:'));
    expect(lines).toEqual(['lowmem_reserve[]: 0 64 64 64', 'lowmem_reserve[]: 0 0 0 0']);
  });
});
