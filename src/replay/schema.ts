/**
 * The JSON Schema of `replay --format jsonl` lines (schema/replay-log.schema.json, written by
 * scripts/gen-replay-schema.mjs from this function): the closed enums come from the same tables the engine uses.
 */
import { allocPathNames, freeActionNames, modeNames, logLevels } from './decision.js';
import { allStepNames } from './driver.js';
import { migratetypeNames } from '../mm/procfs.js';
import { zoneNames } from '../mm/mmzone.js';

export const REPLAY_LOG_SCHEMA_ID = 'urn:mmreplay:schema:replay-log:1';

/** step kind names, sorted, without gaps */
export function stepKindNames(): string[] {
  return [...new Set(allStepNames().filter((n) => n))].sort();
}

export function replayLogSchema(): object {
  const int = { type: 'integer' };
  const intOrNull = { type: ['integer', 'null'] };
  const time = { type: 'string', pattern: '^[0-9]+\\.[0-9]{6}$', description: 'seconds, 6 decimals, as ftrace prints them' };
  const zone = { type: ['string', 'null'], enum: [...zoneNames, null] };
  const step = {
    type: 'object', additionalProperties: false,
    required: ['kind', 'node', 'zone', 'free', 'mark', 'reserve', 'result', 'alloc_flags', 'aux'],
    properties: {
      kind: { enum: stepKindNames() }, node: int, zone, free: { type: 'number' }, mark: { type: 'number' },
      reserve: { type: 'number' }, result: { type: 'number' }, alloc_flags: int, aux: int,
    },
  };
  const alloc = {
    type: 'object', additionalProperties: false,
    required: ['kind', 'seq', 'time', 'task', 'pid', 'cpu', 'order', 'gfp', 'gfp_mask', 'migratetype', 'path', 'result', 'warned'],
    properties: {
      kind: { const: 'alloc' }, seq: int, time, task: { type: 'string' }, pid: int, cpu: int, order: int,
      gfp: { type: 'string' }, gfp_mask: int, migratetype: { enum: [...migratetypeNames] },
      trace_gfp: { type: 'string', description: 'the gfp_flags text of the trace when it was written by another kernel and the policy prints the mask differently' },
      path: { enum: [...allocPathNames, 'thp_group_skipped'] }, name: { type: 'string' },
      steps: { type: 'array', items: step },
      result: {
        type: 'object', additionalProperties: false, required: ['ok', 'node', 'zone', 'pfn'],
        properties: { ok: { type: 'boolean' }, node: intOrNull, zone, pfn: intOrNull },
      },
      recorded: { type: 'object', additionalProperties: false, required: ['ok', 'pfn'], properties: { ok: { type: 'boolean' }, pfn: intOrNull } },
      predicted: {
        type: 'object', additionalProperties: false, required: ['kswapd', 'direct_reclaim', 'compaction', 'fallback'],
        properties: { kswapd: { type: 'boolean' }, direct_reclaim: { type: 'boolean' }, compaction: { type: 'boolean' }, fallback: { type: 'boolean' } },
      },
      warned: { type: 'boolean' },
    },
  };
  const free = {
    type: 'object', additionalProperties: false, required: ['kind', 'seq', 'time', 'task', 'pid', 'order', 'pfn', 'action'],
    properties: {
      kind: { const: 'free' }, seq: int, time, task: { type: 'string' }, pid: int, order: int, pfn: int,
      action: { enum: [...freeActionNames] }, name: { type: 'string' },
    },
  };
  const warning = {
    type: 'object', additionalProperties: false, required: ['kind', 'seq', 'time', 'lines'],
    properties: { kind: { const: 'warning' }, seq: int, time, lines: { type: 'array', items: { type: 'string' } } },
  };
  const header = {
    type: 'object', additionalProperties: false, required: ['kind', 'schema', 'tool', 'mode', 'machine', 'policy', 'inputs', 'log'],
    properties: {
      kind: { const: 'header' }, schema: { const: 1 }, tool: { const: 'mmreplay' }, mode: { enum: [...modeNames] },
      machine: { type: 'string' }, policy: { type: 'string' }, inputs: { type: 'array', items: { type: 'string' } },
      log: { enum: [...logLevels] },
    },
  };
  const summary = {
    type: 'object', required: ['kind', 'mode', 'machine', 'policy', 'requests', 'by_order', 'by_path', 'frees', 'counters', 'buddyinfo', 'pagetypeinfo'],
    properties: {
      kind: { const: 'summary' }, mode: { enum: [...modeNames] },
      by_path: { type: 'object', propertyNames: { enum: [...allocPathNames] }, additionalProperties: int },
      counters: { type: 'object', additionalProperties: { type: 'number' }, description: '/proc/vmstat names (and mmreplay_*)' },
      agreement: { type: 'object', description: 'mirror mode: recorded × predicted outcomes, zone agreement, kernel activity' },
    },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: REPLAY_LOG_SCHEMA_ID,
    title: 'mmreplay replay log line (--format jsonl, schema 1)',
    description: 'one JSON object per line: a header first, then alloc / free / warning lines in request order, a summary last',
    oneOf: [header, alloc, free, warning, summary],
  };
}
