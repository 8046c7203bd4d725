import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkScenarioFile, checkScenarioText, checkTraceExpectFile, formatIssue, loadScenario, loadTraceExpect, ScenarioError,
} from '../../src/scenario/load.js';
import { ExitCode } from '../../src/errors.js';

import { tempDir } from '../helpers/tmp.js';

const fixtures = fileURLToPath(new URL('../fixtures/scenario/', import.meta.url));
const scenarios = fileURLToPath(new URL('../../traces/scenarios/', import.meta.url));

/** the issues of a scenario object, one `s.json: path: message` line each */
function errors(scenario: object, baseDir = fixtures): string {
  const r = checkScenarioText(JSON.stringify(scenario), 's.json', baseDir);
  return r.issues.map((i) => formatIssue('s.json', i)).join('\n');
}
const base = { name: 'n', description: 'd' };
const alloc = (extra: object = {}) => ({ alloc: { order: 0, gfp: 'GFP_KERNEL', ...extra } });

describe('loadScenario', () => {
  it('when the file is valid then defaults are applied, the gfp string normalised and a machine path made absolute', () => {
    const s = loadScenario(join(fixtures, 'valid.json'));
    expect(s.machine).toBe(join(fixtures, 'machine-small.json'));
    expect(s.policy).toBe('v6.18');
    expect(s.requests[0]).toEqual({ alloc: { name: 'a', order: 3, gfp: 'GFP_KERNEL|__GFP_NOWARN', task: 7, repeat: 2 } });
    expect(s.file).toBe(join(fixtures, 'valid.json'));
    expect(s.baseDir).toBe(fixtures.replace(/\/$/, ''));
  });

  it('when the file is invalid then one ScenarioError lists every issue, one per line, with exit code 2', () => {
    let caught: unknown;
    try { loadScenario(join(fixtures, 'unknown-free.json')); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(ScenarioError);
    const e = caught as ScenarioError;
    expect(e.exitCode).toBe(ExitCode.USAGE_OR_INPUT);
    expect(e.issues).toHaveLength(3);
    expect(e.message.replaceAll(fixtures, '')).toMatchInlineSnapshot(`
      "unknown-free.json: requests[1].free.name: no alloc request is named "bfu" (did you mean "buf"?)
      unknown-free.json: requests[2].free.name: "later" is freed before requests[3] allocates it
      unknown-free.json: expect.requests.nope: no alloc request is named "nope""
    `);
  });

  it('when every shipped example scenario is loaded then it validates', () => {
    for (const f of ['order0-fast-path.json', 'atomic-order10-failure.json', 'thp-fragmented-nowarn.json']) {
      expect(checkScenarioFile(join(scenarios, f)).issues, f).toEqual([]);
    }
  });
});

describe('schema issues', () => {
  it('when values have the wrong type then each is named by its JSON path', () => {
    expect(errors({ name: 1, description: 'a\nb', policy: 'v6.19', machine: 5, tasks: {}, requests: [{ alloc: { order: '3', gfp: true, repeat: 0 } }] }))
      .toMatchInlineSnapshot(`
        "s.json: name: expected name (a string)
        s.json: description: description is one line (CI lists it)
        s.json: policy: expected a policy: "v4.0", "v4.12", "v5.0", "v5.15", "v6.1", "v6.6", "v6.18"
        s.json: machine: expected a preset name, a path, or a machine object
        s.json: tasks: expected an array of tasks
        s.json: requests[0].alloc.order: expected order (a whole number ≥ 0)
        s.json: requests[0].alloc.gfp: expected gfp flags: a string such as "GFP_KERNEL|__GFP_NOWARN" or a number
        s.json: requests[0].alloc.repeat: repeat must be ≥ 1"
      `);
  });

  it('when a key is unknown then it is named, with the closest allowed key', () => {
    expect(errors({ ...base, sysctl: { min_free_kbyte: 1 }, requests: [{ alloc: { order: 0, gfp: 'GFP_KERNEL', nowarn: true } }, { allok: {} }], expected: {} }))
      .toMatchInlineSnapshot(`
        "s.json: sysctl: unknown key "min_free_kbyte" (did you mean "min_free_kbytes"?)
        s.json: requests[0].alloc: unknown key "nowarn"
        s.json: requests[1]: unknown key "allok" (did you mean "alloc"?)
        s.json: requests[1]: a request needs one of "alloc", "free", "advance", "sysctl"
        s.json: unknown key "expected" (did you mean "expect"?)"
      `);
  });

  it('when a request or setup step has no operation or two then that is the error', () => {
    expect(errors({ ...base, setup: [{}, { fill: { zone: 'Normal', pages: 1, percent: 5 } }], requests: [{}, { ...alloc(), advance: 1 }] }))
      .toMatchInlineSnapshot(`
        "s.json: setup[0]: a setup step needs one of "fill", "fragment"
        s.json: setup[1].fill: fill takes only one of pages, percent, leave_free (got pages, percent)
        s.json: requests[0]: a request needs one of "alloc", "free", "advance", "sysctl"
        s.json: requests[1]: a request has exactly one of "alloc", "free", "advance", "sysctl" (got "alloc", "advance")"
      `);
  });

  it('when an inline machine object has a bad field then the field is named, not "expected a string or an object"', () => {
    expect(errors({ ...base, machine: { nodes: [{ zones: [{ name: 'Highmem', start_pfn: 1, spanned: 10, present: 10, managed: 10 }] }], cpu: 2 } }))
      .toMatchInlineSnapshot(`
        "s.json: machine.nodes[0].zones[0].name: expected a zone name (DMA, DMA32, Normal, Movable, Device)
        s.json: machine: unknown key "cpu" (did you mean "cpus"?)"
      `);
    expect(errors({ ...base, machine: { nodes: [{ zones: [{ name: 'DMA', start_pfn: 1, spanned: 10, present: 12, managed: 11 }] }] } }))
      .toMatchInlineSnapshot(`"s.json: machine.nodes[0].zones[0].present: present (12) exceeds spanned (10)"`);
  });

  it('when an inline machine is written in the machine JSON format then it validates; swap belongs to the machine, not its sysctl', () => {
    const zones = [{ name: 'DMA32', start_pfn: 4096, spanned: 100, present: 100, managed: 90 }];
    const machine = { name: 'tiny', nodes: [{ zones, distance: [10] }], sysctl: { min_free_kbytes: 128 }, cpus: 4, thp: 'never', swap: true };
    expect(errors({ ...base, machine })).toBe('');
    expect(errors({ ...base, machine: { ...machine, sysctl: { swap: true } } })).toMatchInlineSnapshot(`"s.json: machine.sysctl: unknown key "swap""`);
  });

  it('when sysctls are out of the kernel’s range then the range is given', () => {
    expect(errors({ ...base, sysctl: { watermark_scale_factor: 0, extfrag_threshold: 1001, percpu_pagelist_high_fraction: 4, lowmem_reserve_ratio: [1, 2], swap: 'yes' } }))
      .toMatchInlineSnapshot(`
        "s.json: sysctl.watermark_scale_factor: watermark_scale_factor must be between 1 and 3000
        s.json: sysctl.lowmem_reserve_ratio: lowmem_reserve_ratio has one entry per zone type (3 to 5 entries: DMA, DMA32, Normal, Movable[, Device])
        s.json: sysctl.extfrag_threshold: extfrag_threshold must be between 0 and 1000
        s.json: sysctl.percpu_pagelist_high_fraction: percpu_pagelist_high_fraction must be 0 or at least 8
        s.json: sysctl.swap: expected swap to be true or false"
      `);
  });

  it('when expect holds bad counts, keys or warning text then each is named', () => {
    expect(errors({ ...base, expect: { warnings: -1, counters: { Compact_stall: 1, compact_fail: { min: 3, max: 2 } }, buddyinfo: { Normal: [1] }, warning_text: [] } }))
      .toMatchInlineSnapshot(`
        "s.json: expect.counters.Compact_stall: a counter name is a /proc/vmstat name in lower case (or mmreplay_*)
        s.json: expect.counters.compact_fail: min (3) is above max (2)
        s.json: expect.warnings: a count must be ≥ 0
        s.json: expect.buddyinfo.Normal: a buddyinfo key is "node/zone", e.g. "0/Normal"
        s.json: expect.warning_text: warning_text needs at least one line"
      `);
  });
});

describe('semantic checks', () => {
  it('when a gfp name is unknown to the policy’s kernel then it is named, with the closest name', () => {
    expect(errors({ ...base, requests: [alloc({ gfp: 'GFP_KERNEL|__GFP_NOWARNN' }), alloc({ gfp: 'GFP_KERNEL|GPF_ZERO' })] })).toMatchInlineSnapshot(`
      "s.json: requests[0].alloc.gfp: unknown gfp flag '__GFP_NOWARNN' in policy v6.18 (did you mean "__GFP_NOWARN"?)
      s.json: requests[1].alloc.gfp: unknown gfp flag 'GPF_ZERO' in policy v6.18"
    `);
  });

  it('when a gfp name belongs to another kernel then that is said', () => {
    // __GFP_WAIT was replaced by __GFP_DIRECT_RECLAIM in 4.4 (core reference §2.4)
    expect(errors({ ...base, requests: [alloc({ gfp: 'GFP_NOIO|__GFP_WAIT' })] })).toMatchInlineSnapshot(`"s.json: requests[0].alloc.gfp: gfp flag '__GFP_WAIT' is not in policy v6.18's kernel: replaced in 4.4 by __GFP_DIRECT_RECLAIM (with __GFP_KSWAPD_RECLAIM: __GFP_RECLAIM)"`);
    // GFP_ATOMIC the composite is fine on every kernel; a 4.0-era table name is only in that era
    expect(errors({ ...base, requests: [alloc({ gfp: 'GFP_ATOMIC' })] })).toBe('');
    expect(errors({ ...base, requests: [alloc({ gfp: 'GFP_KERNEL|GFP_NOWARN' })] })).toMatchInlineSnapshot(`"s.json: requests[0].alloc.gfp: gfp flag 'GFP_NOWARN' is not in policy v6.18's kernel (only in gfp eras 4.0, 4.4, 4.5)"`);
  });

  it('when gfp asks for two zones then it is GFP_ZONE_BAD', () => {
    // __GFP_DMA|__GFP_DMA32 = 0x5: a bad entry of GFP_ZONE_TABLE (core reference §2.6)
    expect(errors({ ...base, requests: [alloc({ gfp: 'GFP_KERNEL|__GFP_DMA|__GFP_DMA32' })] })).toMatchInlineSnapshot(`"s.json: requests[0].alloc.gfp: gfp flags name an invalid zone combination (GFP_ZONE_BAD in gfp_zone())"`);
    // the same mask as a number; 0x8 (__GFP_MOVABLE alone) is a valid zone choice (NORMAL)
    expect(errors({ ...base, requests: [alloc({ gfp: 5 })] })).toMatchInlineSnapshot(`"s.json: requests[0].alloc.gfp: gfp flags name an invalid zone combination (GFP_ZONE_BAD in gfp_zone())"`);
    expect(errors({ ...base, requests: [alloc({ gfp: 8 })] })).toBe('');
  });

  it('when an order is above MAX_PAGE_ORDER then the policy’s limit is given', () => {
    expect(errors({ ...base, setup: [{ fragment: { zone: 'Normal', pattern: 'one-in-4', keep_order: 11 } }], requests: [alloc({ order: 11 })] }))
      .toMatchInlineSnapshot(`
        "s.json: setup[0].fragment.keep_order: order 11 is above MAX_PAGE_ORDER (10) of policy v6.18
        s.json: requests[0].alloc.order: order 11 is above MAX_PAGE_ORDER (10) of policy v6.18"
      `);
    expect(errors({ ...base, requests: [alloc({ order: 10 })] })).toBe('');
  });

  it('when names are reused, freed twice, or expected without an alloc then each is reported', () => {
    expect(errors({
      ...base,
      requests: [alloc({ name: 'a' }), alloc({ name: 'a' }), { free: { name: 'a' } }, { free: { name: 'a' } }],
      expect: { requests: { b: { ok: true } } },
    })).toMatchInlineSnapshot(`
      "s.json: requests[1].alloc.name: name "a" is already used by requests[0]
      s.json: requests[3].free.name: "a" was already freed by requests[2]
      s.json: expect.requests.b: no alloc request is named "b" (did you mean "a"?)"
    `);
  });

  it('when a task is not in tasks or a pid repeats then it is reported', () => {
    expect(errors({
      ...base, tasks: [{ pid: 5, comm: 'a' }, { pid: 5, comm: 'b' }],
      setup: [{ fill: { zone: 'Normal', pages: 10, task: 6 } }], requests: [alloc({ task: 7 }), alloc({ task: 5 })],
    })).toMatchInlineSnapshot(`
      "s.json: tasks[1].pid: pid 5 is already used by tasks[0]
      s.json: setup[0].fill.task: task 6 is not in tasks
      s.json: requests[0].alloc.task: task 7 is not in tasks"
    `);
  });

  it('when an `at` time is before the current time then it is reported', () => {
    // advance 2 s, then at 1.5 s: time would go backwards; at 3 s is fine
    expect(errors({ ...base, requests: [{ advance: 2 }, alloc({ at: 1.5 }), alloc({ at: 3 })] })).toMatchInlineSnapshot(`"s.json: requests[1].alloc.at: time 1.5 s is before the current time 2 s (requests run in order)"`);
  });

  it('when a sysctl does not exist in the policy’s kernel then it is reported', () => {
    expect(errors({ ...base, policy: 'v4.12', sysctl: { watermark_boost_factor: 0 }, requests: [{ sysctl: { defrag_mode: 1 } }, { sysctl: {} }] }))
      .toMatchInlineSnapshot(`
        "s.json: sysctl.watermark_boost_factor: watermark_boost_factor does not exist before Linux 5.0 (policy v4.12)
        s.json: requests[0].sysctl.defrag_mode: defrag_mode does not exist before Linux 6.15 (policy v4.12)
        s.json: requests[1].sysctl: sets no sysctl"
      `);
    expect(errors({ ...base, policy: 'v6.18', sysctl: { watermark_boost_factor: 0, defrag_mode: 1 } })).toBe('');
  });

  it('when a counter is unknown, not simulated, or absent from the policy then each says which', () => {
    expect(errors({ ...base, policy: 'v4.0', expect: { counters: { compact_stalls: 1, nr_mlock: 0, oom_kill: 0, allocstall: 1, mmreplay_alloc_failures: 0 } } }))
      .toMatchInlineSnapshot(`
        "s.json: expect.counters.compact_stalls: unknown counter "compact_stalls" (did you mean "compact_stall"?)
        s.json: expect.counters.nr_mlock: "nr_mlock" is a /proc/vmstat counter that mmreplay does not simulate
        s.json: expect.counters.oom_kill: counter "oom_kill" does not exist under policy v4.0 (policies that have it: v5.0, v5.15, v6.1, v6.6, v6.18)"
      `);
  });

  it('when buddyinfo has the wrong number of orders then the expected count is given', () => {
    expect(errors({ ...base, expect: { buddyinfo: { '0/Normal': [1, 2, 3], '1/DMA32': new Array(11).fill(0) } } })).toMatchInlineSnapshot(`"s.json: expect.buddyinfo["0/Normal"]: expected 11 counts (orders 0..10), got 3"`);
  });

  it('when an inline machine lacks the zone or node a step names then it is reported', () => {
    const machine = { nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 100, present: 100, managed: 90 }, { name: 'DMA32', start_pfn: 5000, spanned: 1, present: 1, managed: 1 }] }] };
    expect(errors({
      ...base, machine,
      setup: [{ fill: { zone: 'Normal', pages: 1 } }, { fill: { zone: 'DMA32', node: 1, pages: 1 } }],
      requests: [alloc({ name: 'x', node: 2 })],
      expect: { requests: { x: { node: 1 } }, buddyinfo: { '0/Movable': new Array(11).fill(0) } },
    })).toMatchInlineSnapshot(`
      "s.json: machine.nodes[0].zones[1].name: zone DMA32 is already nodes[0].zones[0]
      s.json: setup[0].fill: node 0 has no Normal zone (it has DMA32, DMA32)
      s.json: setup[1].fill: node 1 does not exist (the machine has 1)
      s.json: requests[0].alloc.node: node 2 does not exist (the machine has 1)
      s.json: expect.requests.x.node: node 1 does not exist (the machine has 1)
      s.json: expect.buddyinfo["0/Movable"]: node 0 has no Movable zone (it has DMA32, DMA32)"
    `);
  });

  it('when the machine string is neither a file, a folder nor a preset then the presets are listed', () => {
    expect(errors({ ...base, machine: 'x86_64-2G' })).toMatchInlineSnapshot(`"s.json: machine: unknown machine "x86_64-2G": not a file or folder (relative to the scenario) and not a preset (x86_64-1G, x86_64-4G, x86_64-16G, numa2-64G) (did you mean "x86_64-1G"?)"`);
    expect(errors({ ...base, machine: 'x86_64-16G' })).toBe('');
  });

  it('when the machine is a folder then it must hold a zoneinfo; a .json file is accepted as a machine file', () => {
    const dir = tempDir('mmreplay-scen-');
    mkdirSync(join(dir, 'snap'));
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(errors({ ...base, machine: 'snap' }, dir)).toMatchInlineSnapshot(`"s.json: machine: snapshot folder "snap" has no zoneinfo"`);
    expect(errors({ ...base, machine: 'notes.txt' }, dir)).toMatchInlineSnapshot(`"s.json: machine: "notes.txt" is a file but not a .json machine file"`);
    writeFileSync(join(dir, 'snap', 'zoneinfo'), '');
    expect(errors({ ...base, machine: 'snap' }, dir)).toBe('');
    expect(errors({ ...base, machine: '../../../traces/real/quiet/before' })).toBe('');
    expect(errors({ ...base, machine: 'machine-small.json' })).toBe('');
  });
});

describe('file errors', () => {
  it('when the JSON is malformed then the issue has line and column', () => {
    expect(checkScenarioFile(join(fixtures, 'syntax.json')).issues).toMatchInlineSnapshot(`
      [
        {
          "column": 3,
          "line": 4,
          "message": "unexpected '"': expected ',' or '}' after a property value",
          "path": "",
        },
      ]
    `);
  });

  it('when the file is missing or a directory then that is the issue', () => {
    expect(checkScenarioFile(join(fixtures, 'no-such.json')).issues).toMatchInlineSnapshot(`
      [
        {
          "message": "cannot read: no such file",
          "path": "",
        },
      ]
    `);
    expect(checkScenarioFile(fixtures).issues).toMatchInlineSnapshot(`
      [
        {
          "message": "cannot read: is a directory",
          "path": "",
        },
      ]
    `);
  });
});

describe('trace expect sidecars', () => {
  it('when the sidecar is valid then it loads with the schema version', () => {
    expect(loadTraceExpect(join(fixtures, 'sidecar.expect.json'))).toEqual({
      schema: 1, counters: { compact_stall: { min: 1 }, pgalloc_normal: 1000 }, warnings: 0,
    });
  });

  it('when the sidecar names requests, bad counters or a short buddyinfo then each is reported', () => {
    expect(checkTraceExpectFile(join(fixtures, 'bad-sidecar.expect.json')).issues.map((i) => formatIssue('t.expect.json', i)))
      .toMatchInlineSnapshot(`
        [
          "t.expect.json: requests: a trace has no named requests: per-request expectations belong in scenarios",
          "t.expect.json: counters.pgscan_kswap: unknown counter "pgscan_kswap" (did you mean "pgscan_kswapd"?)",
          "t.expect.json: buddyinfo["0/Normal"]: expected 11 counts (orders 0..10), got 3",
        ]
      `);
  });
});
