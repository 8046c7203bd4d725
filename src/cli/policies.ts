/**
 * `mmreplay policies [NAME] [--format text|json]`: the kernel-version policies. Without NAME, one line per policy
 * (name, kernel tag, gfp era, character). With NAME, what that policy changes from its predecessor, each change
 * with the kernel file@tag or bracket it follows, and its constants as that kernel spells them.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { getPolicy, policyList, policyNames, predecessor } from '../policy/index.js';
import type { Policy } from '../policy/policy.js';
import type { Io } from './io.js';

export const POLICIES_SCHEMA = 1;

/**
 * The constants of a policy under their kernel names (include/linux/mmzone.h, mm/internal.h of that tag): orders,
 * migratetype numbers (only those the kernel has), ALLOC_* values (only those the kernel has).
 */
export function policyConstants(p: Policy): Record<string, number> {
  const c: Record<string, number> = {};
  c.MAX_ORDER = p.maxOrderConstant;
  c.MAX_PAGE_ORDER = p.maxPageOrder;
  c.NR_PAGE_ORDERS = p.maxPageOrder + 1;
  c.PAGE_ALLOC_COSTLY_ORDER = p.costlyOrder;
  c.pageblock_order = p.pageblockOrder;
  for (const [k, v] of Object.entries(p.migratetypes)) if (v >= 0) c[k] = v;
  for (const [k, v] of Object.entries(p.allocFlags)) if (v !== 0) c[k] = v;
  return c;
}

function policyJson(p: Policy, withChanges: boolean): object {
  const prev = predecessor(p);
  return {
    name: p.name,
    tag: p.tag,
    gfpEra: p.gfpEra,
    character: p.character,
    predecessor: prev ? prev.name : null,
    constants: policyConstants(p),
    ...(withChanges ? { changes: p.changes.map((c) => ({ what: c.what, why: c.why, cite: c.cite })) } : {}),
  };
}

function listText(): string {
  const w = Math.max(...policyNames.map((n) => n.length));
  let out = `${'policy'.padEnd(w)}  ${'tag'.padEnd(w)}  gfp era  character\n`;
  for (const p of policyList) out += `${p.name.padEnd(w)}  ${p.tag.padEnd(w)}  ${p.gfpEra.padEnd(7)}  ${p.character}\n`;
  return out;
}

function detailText(p: Policy): string {
  const prev = predecessor(p);
  let out = `${p.name}: Linux ${p.tag}, gfp era ${p.gfpEra}\n${p.character}\n\n`;
  if (prev) {
    out += `changes from ${prev.name}:\n`;
    p.changes.forEach((c, i) => {
      out += `  ${i + 1}. ${c.what}\n     why: ${c.why}\n     cite: ${c.cite}\n`;
    });
  } else {
    out += 'changes: none (the first policy; every value is its own)\n';
  }
  out += '\nconstants:\n';
  const consts = policyConstants(p);
  const w = Math.max(...Object.keys(consts).map((k) => k.length));
  for (const [k, v] of Object.entries(consts)) {
    const hex = k.startsWith('ALLOC_') ? `  (0x${v.toString(16)})` : '';
    out += `  ${k.padEnd(w)}  ${v}${hex}\n`;
  }
  return out;
}

export function register(program: Command, io: Io): void {
  program
    .command('policies')
    .description('list the kernel-version policies, or show what one changes from its predecessor')
    .argument('[name]', `a policy (${policyNames.join(', ')})`)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((name: string | undefined, opts: { format: string }) => {
      let selected: readonly Policy[] = policyList;
      if (name !== undefined) {
        const p = getPolicy(name);
        if (!p) throw new UsageError(`unknown policy '${name}' (policies: ${policyNames.join(', ')})`, 'unknown-policy');
        selected = [p];
      }
      if (opts.format === 'json') {
        io.stdout(`${JSON.stringify({ schema: POLICIES_SCHEMA, policies: selected.map((p) => policyJson(p, name !== undefined)) }, null, 2)}\n`);
      } else {
        io.stdout(name === undefined ? listText() : detailText(selected[0]!));
      }
      io.exitCode = 0;
    });
}
