/**
 * The JSON scenario format (design §7), as a zod 4 schema: the one definition that validates scenarios
 * (src/scenario/load.ts), types them (`Scenario`), and generates the JSON Schema shipped for editors
 * (schema/scenario.schema.json, written by scripts/gen-schema.mjs from `scenarioJsonSchema()`).
 *
 * Every object is strict, so a typo in a key is an error, not a silently ignored field. Names users see keep the
 * kernel's spelling: sysctls as /proc/sys/vm names them, zones as /proc/zoneinfo does, migratetypes as
 * /proc/pagetypeinfo does, counters as /proc/vmstat does.
 *
 * What zod cannot check (names referenced by free/expect, gfp strings in the policy's era, orders against the
 * policy's MAX_PAGE_ORDER, a machine string that resolves, zones of an inline machine) is checked by load.ts.
 *
 * Keep in sync: after any change here run `npx tsc -p . && node scripts/gen-schema.mjs` (a test fails if the
 * shipped JSON Schema differs from what this file generates).
 */
import { z } from 'zod';
import { machineJsonSchema, sysctlSchema as machineSysctlSchema } from '../mm/machine-schema.js';

/** the scenario format version this file describes */
export const SCENARIO_SCHEMA_VERSION = 1;

/** JSON Schema `$id`s of the shipped files */
export const SCENARIO_SCHEMA_ID = 'urn:mmreplay:schema:scenario:1';
export const EXPECT_SCHEMA_ID = 'urn:mmreplay:schema:expect:1';

/** the policy names users may write (design §8); one per kernel version */
export const policyNames = ['v4.0', 'v4.12', 'v5.0', 'v5.15', 'v6.1', 'v6.6', 'v6.18'] as const;
export type PolicyName = (typeof policyNames)[number];
export const DEFAULT_POLICY_NAME: PolicyName = 'v6.18';

/** zone names as /proc/zoneinfo prints them (mm/page_alloc.c zone_names[], x86-64 without HIGHMEM) */
export const scenarioZoneNames = ['DMA', 'DMA32', 'Normal', 'Movable'] as const;
/**
 * migratetypes an allocation or a fill can ask for, as /proc/pagetypeinfo prints them
 * (mm/page_alloc.c migratetype_names[]): the three that gfp_migratetype() can return.
 */
export const scenarioMigratetypes = ['Unmovable', 'Movable', 'Reclaimable'] as const;
/** what reclaim may do with a page (design §6 reclaim model) */
export const pageKinds = ['file', 'anon', 'slab', 'kernel'] as const;
/**
 * the slow-path stage that finally served (or failed) an allocation, in __alloc_pages_slowpath() order
 * (mm/page_alloc.c @ v6.18): `fast` = get_page_from_freelist() at the low watermark before the slow path;
 * `min_retry` = the first slow-path attempt at the min watermark after waking kswapd; `initial_compact` = the
 * async compaction tried before reclaim for costly/non-movable orders; `reclaim` = after direct reclaim;
 * `compact` = after direct compaction in the retry loop; `reserves` = ALLOC_NO_WATERMARKS / ALLOC_OOM;
 * `oom` = after the OOM killer freed memory; `nofail` = the __GFP_NOFAIL last resort; `fail` = no page.
 */
export const allocPaths = ['fast', 'min_retry', 'initial_compact', 'reclaim', 'compact', 'reserves', 'oom', 'nofail', 'fail'] as const;
/** THP `enabled` modes (/sys/kernel/mm/transparent_hugepage/enabled) */
export const thpModes = ['always', 'madvise', 'never'] as const;

/** a request or step name: what `free` and `expect.requests` refer to */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** `expect.buddyinfo` key: "node/zone", e.g. "0/Normal" */
export const BUDDYINFO_KEY_RE = /^(\d+)\/(DMA|DMA32|Normal|Movable)$/;
/** `fragment.pattern`: `every-other` or `one-in-N` */
export const FRAGMENT_PATTERN_RE = /^(every-other|one-in-([2-9]|[1-9][0-9]{1,3}))$/;
/** a /proc/vmstat-style name */
const COUNTER_NAME_RE = /^[a-z][a-z0-9_]*$/;

// ---------------------------------------------------------------------------------------------------------------
// small builders

const nonNegInt = (what: string) => z.int({ error: `expected ${what} (a whole number ≥ 0)` }).min(0, { error: `${what} must be ≥ 0` });
const posInt = (what: string) => z.int({ error: `expected ${what} (a whole number ≥ 1)` }).min(1, { error: `${what} must be ≥ 1` });
const seconds = (what: string) => z.number({ error: `expected ${what} in seconds (a number)` }).min(0, { error: `${what} must be ≥ 0` });
const intRange = (what: string, min: number, max: number) =>
  z.int({ error: `expected ${what} (a whole number ${min}..${max})` })
    .min(min, { error: `${what} must be ${min}..${max}` })
    .max(max, { error: `${what} must be ${min}..${max}` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `expected ${what}: ${values.map((v) => `"${v}"`).join(', ')}` });
/** a message for a wrong type only; other issues (a record's bad key) keep their own message */
const typeOnly = (message: string) => (iss: { code?: string }) => (iss.code === 'invalid_type' ? message : undefined);
const name = () => z.string({ error: 'expected a name (a string)' })
  .regex(NAME_RE, { error: 'a name starts with a letter or _ and holds only letters, digits, _ . -' });

// ---------------------------------------------------------------------------------------------------------------
// sysctls

/**
 * The vm sysctls a scenario may set, with the kernel's accepted ranges (mm/page_alloc.c page_alloc_sysctl_table
 * @ v6.18: min_free_kbytes extra1 SYSCTL_ZERO; watermark_boost_factor SYSCTL_ZERO; watermark_scale_factor
 * SYSCTL_ONE..SYSCTL_THREE_THOUSAND; defrag_mode 0..1; percpu_pagelist_high_fraction 0 or ≥ 8
 * (MIN_PERCPU_PAGELIST_HIGH_FRACTION); mm/compaction.c: compaction_proactiveness 0..100, extfrag_threshold
 * 0..1000; mm/vmscan.c: swappiness 0..200). `swap` is not a sysctl: it says whether swap is configured, which
 * decides whether anonymous pages are reclaimable.
 */
export const sysctlSchema = machineSysctlSchema.extend({
  swappiness: intRange('swappiness', 0, 200).optional().meta({
    title: 'vm.swappiness',
    description: 'reclaim balance between anonymous and file pages (default 60)',
  }),
  swap: z.boolean({ error: 'expected swap to be true or false' }).optional().meta({
    title: 'swap configured',
    description: 'not a sysctl: whether swap space exists, so that anonymous pages can be reclaimed (default false)',
  }),
}).meta({
  title: 'vm sysctls',
  description: '/proc/sys/vm settings, by their file names; unknown names are errors',
});
export type ScenarioSysctl = z.infer<typeof sysctlSchema>;

// ---------------------------------------------------------------------------------------------------------------
// machine

/** an inline machine: the machine JSON format, validated by the very schema machine files use */
export const inlineMachineSchema = machineJsonSchema;

const machineSchema = z.union([
  z.string({ error: 'expected a preset name, a path, or a machine object' }).min(1, { error: 'machine must not be empty' })
    .meta({ title: 'machine reference', description: 'a preset name (x86_64-1G, x86_64-4G, x86_64-16G, numa2-64G), or a path relative to this file: a machine JSON file or a /proc snapshot folder' }),
  inlineMachineSchema,
], { error: 'expected a preset name, a path, or a machine object' });

// ---------------------------------------------------------------------------------------------------------------
// tasks and setup

const taskSchema = z.strictObject({
  pid: posInt('pid').meta({ title: 'pid', description: 'task id, referenced by `task` in setup steps and requests' }),
  comm: z.string({ error: 'expected comm (a string)' }).min(1, { error: 'comm must not be empty' })
    .max(15, { error: 'comm is at most 15 characters (TASK_COMM_LEN 16 with the NUL)' })
    .meta({ title: 'comm', description: 'task name as the kernel prints it (at most 15 characters)' }),
  oom_score_adj: intRange('oom_score_adj', -1000, 1000).default(0)
    .meta({ title: 'oom_score_adj', description: '/proc/PID/oom_score_adj, -1000 (never killed) .. 1000 (default 0)' }),
}).meta({ title: 'task', description: 'a task that owns pages and can be chosen by the OOM killer' });

const zoneRef = {
  zone: oneOf(scenarioZoneNames, 'a zone name').meta({ title: 'zone', description: 'zone name as /proc/zoneinfo prints it' }),
  node: nonNegInt('node').default(0).meta({ title: 'node', description: 'NUMA node id (default 0)' }),
};
const ownerFields = {
  migratetype: oneOf(scenarioMigratetypes, 'a migratetype').default('Movable')
    .meta({ title: 'migratetype', description: 'migratetype of the pages (and of the pageblocks they take), as /proc/pagetypeinfo names it (default Movable)' }),
  kind: oneOf(pageKinds, 'a page kind').optional()
    .meta({ title: 'page kind', description: 'what reclaim can do with the pages: file (page cache), anon (needs swap), slab (shrinkable), kernel (unreclaimable); default: from the migratetype (Movable → file, Reclaimable → slab, Unmovable → kernel)' }),
  task: posInt('task').optional().meta({ title: 'owner task', description: 'pid (from `tasks`) that owns the pages' }),
};

const fillSchema = z.strictObject({
  ...zoneRef,
  pages: posInt('pages').optional().meta({ title: 'pages', description: 'allocate this many pages' }),
  percent: z.number({ error: 'expected percent (a number)' }).gt(0, { error: 'percent must be > 0' }).max(100, { error: 'percent must be ≤ 100' })
    .optional().meta({ title: 'percent', description: 'allocate this share of the zone’s managed pages' }),
  leave_free: nonNegInt('leave_free').optional().meta({ title: 'leave free', description: 'allocate until this many pages are left free in the zone' }),
  order: nonNegInt('order').default(0).meta({ title: 'order', description: 'allocate in blocks of 2^order pages (default 0)' }),
  ...ownerFields,
}).superRefine((fill, ctx) => {
  const given = (['pages', 'percent', 'leave_free'] as const).filter((k) => fill[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({ code: 'custom', message: given.length === 0
      ? 'fill needs one of pages, percent, leave_free'
      : `fill takes only one of pages, percent, leave_free (got ${given.join(', ')})` });
  }
}).meta({ title: 'fill', description: 'allocate pages of a zone before the requests run (by pages, percent, or leave_free)' });

const fragmentSchema = z.strictObject({
  ...zoneRef,
  pattern: z.string({ error: 'expected pattern (a string)' })
    .regex(FRAGMENT_PATTERN_RE, { error: 'pattern is "every-other" or "one-in-N" (N 2..9999)' })
    .meta({ title: 'pattern', description: 'which blocks stay free: "every-other" or "one-in-N"' }),
  keep_order: nonNegInt('keep_order').default(0)
    .meta({ title: 'kept order', description: 'the zone’s free memory is allocated in blocks of 2^keep_order pages, then the blocks the pattern picks are freed, so free memory is left in holes of this order that cannot merge (default 0)' }),
  ...ownerFields,
}).meta({ title: 'fragment', description: 'fragment a zone’s free memory into small holes' });

const setupStepSchema = z.strictObject({
  fill: fillSchema.optional(),
  fragment: fragmentSchema.optional(),
}).superRefine((step, ctx) => exactlyOneKey(step, ['fill', 'fragment'], 'a setup step', ctx))
  .meta({ title: 'setup step', description: 'one of { "fill": … } or { "fragment": … }', minProperties: 1, maxProperties: 1 });

// ---------------------------------------------------------------------------------------------------------------
// requests

const gfpSchema = z.union([
  z.string().min(1, { error: 'gfp must not be empty' }).overwrite((s) => s.replace(/\s+/g, '')),
  z.int().min(0).max(0xffffffff),
], { error: 'expected gfp flags: a string such as "GFP_KERNEL|__GFP_NOWARN" or a number' })
  .meta({ title: 'gfp flags', description: 'gfp mask as the policy’s kernel names it ("GFP_KERNEL|__GFP_NOWARN", "0x400dc0"; spaces are ignored) or as a number' });

const allocSchema = z.strictObject({
  name: name().optional().meta({ title: 'name', description: 'names the request, so `free` and `expect.requests` can refer to it' }),
  order: nonNegInt('order').meta({ title: 'order', description: 'allocate 2^order contiguous pages (0..MAX_PAGE_ORDER, 10 on x86-64)' }),
  gfp: gfpSchema,
  migratetype: oneOf(scenarioMigratetypes, 'a migratetype').optional()
    .meta({ title: 'migratetype override', description: 'use this migratetype instead of the one the gfp flags give (gfp_migratetype)' }),
  kind: oneOf(pageKinds, 'a page kind').optional()
    .meta({ title: 'page kind', description: 'what reclaim can do with these pages; default from gfp and migratetype' }),
  task: posInt('task').optional().meta({ title: 'task', description: 'pid (from `tasks`) that allocates and owns the pages' }),
  repeat: posInt('repeat').default(1).meta({ title: 'repeat', description: 'allocate this many blocks, one after another (default 1)' }),
  node: nonNegInt('node').optional().meta({ title: 'node', description: 'preferred NUMA node (default: node 0)' }),
  at: seconds('at').optional().meta({ title: 'time', description: 'simulated time of the request, in seconds from the start (not before the current time)' }),
}).meta({ title: 'alloc', description: 'allocate pages through the policy’s __alloc_pages' });

const freeSchema = z.strictObject({
  name: name().meta({ title: 'name', description: 'frees every block that the alloc request of this name allocated' }),
}).meta({ title: 'free', description: 'free what a named alloc request allocated' });

const requestSchema = z.strictObject({
  alloc: allocSchema.optional(),
  free: freeSchema.optional(),
  advance: z.number({ error: 'expected advance in seconds (a number)' }).gt(0, { error: 'advance must be > 0' }).optional()
    .meta({ title: 'advance', description: 'let this many seconds of simulated time pass (kswapd and kcompactd run)' }),
  sysctl: sysctlSchema.optional().meta({ title: 'set sysctls', description: 'change vm sysctls from here on (watermarks are recomputed as the kernel does)' }),
}).superRefine((req, ctx) => exactlyOneKey(req, ['alloc', 'free', 'advance', 'sysctl'], 'a request', ctx))
  .meta({ title: 'request', description: 'one of { "alloc": … }, { "free": … }, { "advance": seconds }, { "sysctl": … }', minProperties: 1, maxProperties: 1 });

// ---------------------------------------------------------------------------------------------------------------
// expectations

const countSchema = z.union([
  nonNegInt('a count'),
  z.strictObject({
    min: nonNegInt('min').optional().meta({ title: 'minimum', description: 'at least this many' }),
    max: nonNegInt('max').optional().meta({ title: 'maximum', description: 'at most this many' }),
  }).superRefine((r, ctx) => {
    if (r.min === undefined && r.max === undefined) ctx.addIssue({ code: 'custom', message: 'a range needs min, max or both' });
    else if (r.min !== undefined && r.max !== undefined && r.min > r.max) ctx.addIssue({ code: 'custom', message: `min (${r.min}) is above max (${r.max})` });
  }).meta({ title: 'range', description: 'inclusive range { "min": a, "max": b } (either may be left out)' }),
], { error: 'expected a count (a whole number ≥ 0) or a range { "min": a, "max": b }' })
  .meta({ title: 'count', description: 'an exact number, or { "min": a, "max": b }' });
export type CountExpect = z.infer<typeof countSchema>;

const requestExpectSchema = z.strictObject({
  ok: z.boolean({ error: 'expected ok to be true or false' }).optional()
    .meta({ title: 'ok', description: 'true: every allocation of the request got pages; false: every one failed' }),
  failures: countSchema.optional().meta({ title: 'failures', description: 'how many of the request’s allocations (with repeat) failed' }),
  zone: oneOf(scenarioZoneNames, 'a zone name').optional().meta({ title: 'zone', description: 'every successful allocation came from this zone' }),
  node: nonNegInt('node').optional().meta({ title: 'node', description: 'every successful allocation came from this node' }),
  path: oneOf(allocPaths, 'an allocation path').optional()
    .meta({ title: 'path', description: 'the __alloc_pages stage that served (or failed) every allocation: fast | min_retry | initial_compact | reclaim | compact | reserves | oom | nofail | fail' }),
  kswapd: z.boolean({ error: 'expected kswapd to be true or false' }).optional()
    .meta({ title: 'kswapd woken', description: 'whether the request woke kswapd (wakeup_kswapd on the slow path)' }),
  warned: z.boolean({ error: 'expected warned to be true or false' }).optional()
    .meta({ title: 'warned', description: 'whether warn_alloc printed "page allocation failure" for it' }),
}).meta({ title: 'request expectation', description: 'what every allocation of a named request must show' });

const expectFields = {
  requests: z.record(name(), requestExpectSchema, { error: typeOnly('expected an object of request name → expectation') }).optional()
    .meta({ title: 'per request', description: 'request name → expectation' }),
  counters: z.record(
    z.string().regex(COUNTER_NAME_RE, { error: 'a counter name is a /proc/vmstat name in lower case (or mmreplay_*)' }),
    countSchema, { error: typeOnly('expected an object of counter name → count') }).optional()
    .meta({ title: 'counters', description: 'final value of /proc/vmstat counters (pgalloc_normal, allocstall_normal, pgscan_kswapd, compact_stall, oom_kill, …) and mmreplay_* counters, by name' }),
  warnings: countSchema.optional().meta({ title: 'warnings', description: 'number of "page allocation failure" warnings printed' }),
  buddyinfo: z.record(
    z.string().regex(BUDDYINFO_KEY_RE, { error: 'a buddyinfo key is "node/zone", e.g. "0/Normal"' }),
    z.array(nonNegInt('a block count'), { error: 'expected an array of free block counts, one per order' }),
    { error: typeOnly('expected an object of "node/zone" → free blocks per order') }).optional()
    .meta({ title: 'final buddyinfo', description: '"node/zone" (e.g. "0/Normal") → free blocks per order, order 0 first, as /proc/buddyinfo prints them' }),
  warning_text: z.union([
    z.string().min(1),
    z.array(z.string(), { error: 'expected an array of lines' }).min(1, { error: 'warning_text needs at least one line' }),
  ], { error: 'expected warning_text: a string or an array of lines' }).optional()
    .meta({ title: 'warning text', description: 'a string that must occur in the warn_alloc output, or lines that must occur as whole lines in this order' }),
};

/** the expectations block (also the whole content of a trace's sidecar `trace.expect.json`) */
export const expectSchema = z.strictObject(expectFields)
  .meta({ title: 'expectations', description: 'what `mmreplay check` compares after the run' });
export type ScenarioExpect = z.infer<typeof expectSchema>;

/** a trace's sidecar `<trace>.expect.json`: the expect block, with an optional `$schema` for editors */
export const traceExpectSchema = z.strictObject({
  $schema: z.string().optional().meta({ title: 'JSON Schema', description: 'path or URL of expect.schema.json, for editors' }),
  schema: z.literal(SCENARIO_SCHEMA_VERSION, { error: `schema must be ${SCENARIO_SCHEMA_VERSION}` }).default(SCENARIO_SCHEMA_VERSION)
    .meta({ title: 'format version', description: `version of this format (${SCENARIO_SCHEMA_VERSION})` }),
  machine: z.string({ error: 'expected machine (a preset name or a path)' }).min(1, { error: 'machine must not be empty' }).optional()
    .meta({ title: 'machine', description: 'the machine to replay the trace on: a preset, or a machine JSON file or /proc snapshot folder relative to this file (default: the before/ snapshot beside the trace, else x86_64-16G)' }),
  policy: oneOf(policyNames, 'a policy').optional()
    .meta({ title: 'policy', description: 'kernel policy to replay under (default v6.18; `check --policy` overrides it)' }),
  mode: oneOf(['mirror', 'simulate'] as const, 'a replay mode').optional()
    .meta({ title: 'replay mode', description: 'mirror (follow the record on its snapshot) or simulate; default: mirror on a snapshot folder with no policy given, else simulate' }),
  ...expectFields,
}).meta({ title: 'mmreplay trace expectations', description: 'expectations for a trace, in `<trace>.expect.json` beside it, and how to replay it' });
export type TraceExpect = z.infer<typeof traceExpectSchema>;

// ---------------------------------------------------------------------------------------------------------------
// the scenario

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional().meta({ title: 'JSON Schema', description: 'path or URL of scenario.schema.json, for editors' }),
  schema: z.literal(SCENARIO_SCHEMA_VERSION, { error: `schema must be ${SCENARIO_SCHEMA_VERSION}` }).default(SCENARIO_SCHEMA_VERSION)
    .meta({ title: 'format version', description: `version of the scenario format (${SCENARIO_SCHEMA_VERSION})` }),
  name: z.string({ error: 'expected name (a string)' }).min(1, { error: 'name must not be empty' })
    .meta({ title: 'scenario name', description: 'short name, shown in check results' }),
  description: z.string({ error: 'expected description (a string)' }).min(1, { error: 'description must not be empty' })
    .refine((s) => !/[\r\n]/.test(s), { error: 'description is one line (CI lists it)' })
    .meta({ title: 'description', description: 'one line saying what the scenario shows' }),
  policy: oneOf(policyNames, 'a policy').default(DEFAULT_POLICY_NAME)
    .meta({ title: 'policy', description: 'kernel-version policy: v4.0, v4.12, v5.0, v5.15, v6.1, v6.6, v6.18 (default v6.18)' }),
  machine: machineSchema.default('x86_64-1G')
    .meta({ title: 'machine', description: 'a preset name, a machine JSON file or /proc snapshot folder (relative to this file), or an inline machine (default x86_64-1G)' }),
  sysctl: sysctlSchema.default({}).meta({ title: 'vm sysctls', description: 'sysctls at the start, over the machine’s own' }),
  tasks: z.array(taskSchema, { error: 'expected an array of tasks' }).default([])
    .meta({ title: 'tasks', description: 'tasks that own pages (pid, comm, oom_score_adj)' }),
  setup: z.array(setupStepSchema, { error: 'expected an array of setup steps' }).default([])
    .meta({ title: 'setup', description: 'steps that fill or fragment zones before the requests, in order' }),
  requests: z.array(requestSchema, { error: 'expected an array of requests' }).default([])
    .meta({ title: 'requests', description: 'allocations, frees, time steps and sysctl changes, run in order' }),
  expect: expectSchema.optional(),
}).meta({ title: 'mmreplay scenario', description: 'a JSON scenario for mmreplay: machine, setup, requests and expectations' });

/** a validated scenario, defaults applied */
export type Scenario = z.infer<typeof scenarioSchema>;
/** a scenario as written (defaults not applied) */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioRequest = Scenario['requests'][number];
export type ScenarioSetupStep = Scenario['setup'][number];
export type InlineMachine = z.infer<typeof inlineMachineSchema>;

// ---------------------------------------------------------------------------------------------------------------

function exactlyOneKey(obj: Record<string, unknown>, keys: readonly string[], what: string, ctx: z.RefinementCtx): void {
  const given = keys.filter((k) => obj[k] !== undefined);
  if (given.length === 1) return;
  ctx.addIssue({
    code: 'custom',
    message: given.length === 0
      ? `${what} needs one of ${keys.map((k) => `"${k}"`).join(', ')}`
      : `${what} has exactly one of ${keys.map((k) => `"${k}"`).join(', ')} (got ${given.map((k) => `"${k}"`).join(', ')})`,
  });
}

/** The JSON Schemas shipped in schema/: the scenario and a trace's expect sidecar (draft 2020-12, input view). */
export function scenarioJsonSchemas(): { 'scenario.schema.json': object; 'expect.schema.json': object } {
  return {
    'scenario.schema.json': withId(z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }), SCENARIO_SCHEMA_ID),
    'expect.schema.json': withId(z.toJSONSchema(traceExpectSchema, { io: 'input', target: 'draft-2020-12' }), EXPECT_SCHEMA_ID),
  };
}

function withId(schema: Record<string, unknown>, id: string): object {
  const { $schema, ...rest } = schema;
  return { $schema, $id: id, ...rest };
}
