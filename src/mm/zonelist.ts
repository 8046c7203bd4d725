/**
 * Mirrors mm/page_alloc.c (v6.18) build_all_zonelists() → build_zonelists(), build_zonerefs_node(),
 * find_next_best_node() and build_thisnode_zonelists(): the order in which an allocation tries zones.
 */
import type { PglistData, Zone } from './mmzone.js';
import type { Policy } from '../policy/policy.js';

/** node_distance() of the kernel's default SLIT: LOCAL_DISTANCE 10, REMOTE_DISTANCE 20 */
export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;

/**
 * build_zonerefs_node(): this node's zones from the highest index down, only populated ones
 * (populated_zone(): present_pages > 0, v4.0 and 5.15.y+); the v4.12 and v5.0 policies list managed_zone()s
 * (managed_pages > 0) instead (Policy.zonelistZones; mm/page_alloc.c @ v4.12, v5.0.1). Without a policy, v6.18.
 */
export function buildZonerefsNode(node: PglistData, policy?: Policy): Zone[] {
  const managed = policy?.zonelistZones === 'managed';
  const out: Zone[] = [];
  for (let zoneType = node.zones.length - 1; zoneType >= 0; zoneType--) {
    const zone = node.zones[zoneType]!;
    if ((managed ? zone.managedPages : zone.presentPages) > 0) out.push(zone);
  }
  return out;
}

/**
 * find_next_best_node() order from `local`: the local node first, then the others by distance; at equal distance
 * a node below the local one is penalised (`val += (n < node)`), then lower ids first. Every simulated node has
 * CPUs, so PENALTY_FOR_NODE_WITH_CPUS adds the same to all; the node_load round-robin that spreads equal-distance
 * nodes across different local nodes is not modelled (it only matters with three or more nodes).
 * `distance[a][b]` defaults to 10 on the diagonal and 20 elsewhere.
 */
export function nodeOrder(local: number, nrNodes: number, distance?: readonly (readonly number[])[]): number[] {
  const dist = (a: number, b: number): number => distance?.[a]?.[b] ?? (a === b ? LOCAL_DISTANCE : REMOTE_DISTANCE);
  const others: number[] = [];
  for (let n = 0; n < nrNodes; n++) if (n !== local) others.push(n);
  others.sort((a, b) => dist(local, a) - dist(local, b) || Number(a < local) - Number(b < local) || a - b);
  return [local, ...others];
}

/**
 * build_zonelists() for every node: node_zonelists[ZONELIST_FALLBACK] = each node in nodeOrder() contributing
 * its populated zones highest first (node-major: the only order since 4.14); ZONELIST_NOFALLBACK (__GFP_THISNODE)
 * = the local node's populated zones only. Memoryless nodes contribute nothing.
 */
export function buildZonelists(nodes: readonly PglistData[], distance?: readonly (readonly number[])[], policy?: Policy): void {
  const refs = nodes.map((n) => buildZonerefsNode(n, policy));
  for (const node of nodes) {
    const fallback: Zone[] = [];
    for (const n of nodeOrder(node.nodeId, nodes.length, distance)) fallback.push(...refs[n]!);
    node.zonelistFallback = fallback;
    node.zonelistNofallback = refs[node.nodeId]!.slice();
  }
}
