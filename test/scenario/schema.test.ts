import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectSchema, scenarioJsonSchemas, scenarioSchema } from '../../src/scenario/schema.js';

const root = new URL('../../', import.meta.url);

describe('scenarioSchema', () => {
  it('when only name and description are given then the documented defaults are filled in', () => {
    expect(scenarioSchema.parse({ name: 'n', description: 'd' })).toEqual({
      schema: 1, name: 'n', description: 'd', policy: 'v6.18', machine: 'x86_64-1G', sysctl: {}, tasks: [], setup: [], requests: [],
    });
  });

  it('when an alloc is given then repeat defaults to 1 and spaces in the gfp string are dropped', () => {
    const s = scenarioSchema.parse({ name: 'n', description: 'd', requests: [{ alloc: { order: 2, gfp: ' GFP_KERNEL | __GFP_NOWARN ' } }] });
    expect(s.requests[0]).toEqual({ alloc: { order: 2, gfp: 'GFP_KERNEL|__GFP_NOWARN', repeat: 1 } });
  });

  it('when a fill step is given then node 0, order 0 and Movable are the defaults', () => {
    const s = scenarioSchema.parse({ name: 'n', description: 'd', setup: [{ fill: { zone: 'Normal', leave_free: 100 } }] });
    expect(s.setup[0]).toEqual({ fill: { zone: 'Normal', node: 0, leave_free: 100, order: 0, migratetype: 'Movable' } });
  });

  it('when a task is given then oom_score_adj defaults to 0 and comm is at most 15 characters', () => {
    const s = scenarioSchema.parse({ name: 'n', description: 'd', tasks: [{ pid: 1, comm: 'a' }] });
    expect(s.tasks).toEqual([{ pid: 1, comm: 'a', oom_score_adj: 0 }]);
    expect(scenarioSchema.safeParse({ name: 'n', description: 'd', tasks: [{ pid: 1, comm: 'x'.repeat(16) }] }).success).toBe(false);
  });

  it('when a counter range has min above max then it is rejected', () => {
    expect(expectSchema.safeParse({ counters: { compact_stall: { min: 2, max: 1 } } }).success).toBe(false);
    expect(expectSchema.safeParse({ counters: { compact_stall: { min: 1, max: 2 } } }).success).toBe(true);
    expect(expectSchema.safeParse({ counters: { compact_stall: {} } }).success).toBe(false);
  });
});

describe('scenarioJsonSchemas', () => {
  it('when the shipped schema/*.json files are compared with the generator then they are identical (run scripts/gen-schema.mjs)', () => {
    for (const [file, schema] of Object.entries(scenarioJsonSchemas())) {
      expect(readFileSync(new URL(`schema/${file}`, root), 'utf8'), `schema/${file} is stale: npx tsc -p . && node scripts/gen-schema.mjs`)
        .toBe(`${JSON.stringify(schema, null, 2)}\n`);
    }
  });

  it('when generated then it is draft 2020-12 with an $id, and every property has a title and a description', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${path}[${i}]`)); return; }
      if (typeof node !== 'object' || node === null) return;
      const props = (node as { properties?: Record<string, { title?: string; description?: string }> }).properties;
      for (const [k, v] of Object.entries(props ?? {})) if (!v.title || !v.description) missing.push(`${path}.${k}`);
      for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
    };
    for (const [file, schema] of Object.entries(scenarioJsonSchemas())) {
      expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: expect.stringMatching(/^urn:mmreplay:schema:/) });
      walk(schema, file);
    }
    expect(missing).toEqual([]);
  });
});
