/**
 * `mmreplay machine SOURCE`: builds the simulated machine (preset, machine JSON file or /proc snapshot folder)
 * and prints it as the kernel would show it — /proc/zoneinfo, /proc/buddyinfo, /proc/pagetypeinfo — or as JSON.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { buildMachine, machineToJson, parseSysctlAssignments, presetNames, sysctlNames } from '../mm/machine.js';
import type { Machine } from '../mm/machine.js';
import { machineZoneViews } from '../mm/machine.js';
import { printBuddyinfo, printPagetypeinfo, printZoneinfo } from '../mm/procfs.js';
import { DEFAULT_POLICY, getPolicy, policies } from '../policy/index.js';
import type { Io } from './io.js';

const PROC_FILES = ['zoneinfo', 'buddyinfo', 'pagetypeinfo'] as const;

interface MachineOptions {
  policy: string;
  sysctl: string[];
  format: string;
  only?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The one-paragraph header of the text output: where the machine came from and what it runs. */
function describe(m: Machine): string {
  const s = m.sysctl;
  let out = `machine: ${m.source.name} (${m.source.kind})  policy: ${m.policy.name}  cpus: ${m.nrCpus}  thp: ${m.thp}  swap: ${m.swap ? 'yes' : 'no'}\n`;
  out += `sysctl: min_free_kbytes=${s.min_free_kbytes} watermark_scale_factor=${s.watermark_scale_factor} `;
  out += `watermark_boost_factor=${s.watermark_boost_factor} lowmem_reserve_ratio=${s.lowmem_reserve_ratio.join(',')} `;
  out += `extfrag_threshold=${s.extfrag_threshold} compaction_proactiveness=${s.compaction_proactiveness}\n`;
  for (const node of m.nodes) {
    out += `zonelist node ${node.nodeId}: ${node.zonelistFallback.map((z) => `${z.nodeId}/${z.name}`).join(' ')}\n`;
  }
  return out;
}

function printFile(m: Machine, file: (typeof PROC_FILES)[number]): string {
  const views = machineZoneViews(m);
  if (file === 'zoneinfo') return printZoneinfo(views, m.policy);
  if (file === 'buddyinfo') return printBuddyinfo(views);
  return printPagetypeinfo(views, { cma: m.config.cma, policy: m.policy });
}

export function register(program: Command, io: Io): void {
  program
    .command('machine')
    .description('build a simulated machine and print it as /proc/zoneinfo, /proc/buddyinfo and /proc/pagetypeinfo')
    .argument('<source>', `a preset (${presetNames.join(', ')}), a machine JSON file, or a /proc snapshot folder`)
    .option('--policy <name>', `kernel-version policy (${Object.keys(policies).join(', ')})`, DEFAULT_POLICY)
    .option('--sysctl <name=value>', `set a vm sysctl, repeatable (${sysctlNames.join(', ')})`, collect, [] as string[])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--only <file>', 'print only this /proc file, exactly as the kernel does').choices([...PROC_FILES]))
    .action((source: string, opts: MachineOptions) => {
      const policy = getPolicy(opts.policy);
      if (!policy) throw new UsageError(`unknown policy '${opts.policy}' (policies: ${Object.keys(policies).join(', ')})`);
      const sysctl = parseSysctlAssignments(opts.sysctl);
      const m = buildMachine(source, { policy, sysctl, baseDir: io.cwd });
      for (const note of m.snapshot?.notes ?? []) io.stderr(`mmreplay: warning: ${source}: ${note}\n`);
      if (opts.format === 'json') {
        io.stdout(`${JSON.stringify(machineToJson(m), null, 2)}\n`);
        return;
      }
      if (opts.only) {
        io.stdout(printFile(m, opts.only as (typeof PROC_FILES)[number]));
        return;
      }
      let out = describe(m);
      for (const f of PROC_FILES) out += `\n==> /proc/${f} <==\n${printFile(m, f)}`;
      io.stdout(out);
    });
}
