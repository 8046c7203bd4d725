/** Policy name → policy, in kernel order. getPolicy(undefined) is the default (v6.18). */
import type { Policy } from './policy.js';
import { v4_0 } from './v4.0.js';
import { v4_12 } from './v4.12.js';
import { v5_0 } from './v5.0.js';
import { v5_15 } from './v5.15.js';
import { v6_1 } from './v6.1.js';
import { v6_6 } from './v6.6.js';
import { v6_18 } from './v6.18.js';

/** every policy, oldest first; each one's `changes` are relative to the one before it */
export const policyList: readonly Policy[] = [v4_0, v4_12, v5_0, v5_15, v6_1, v6_6, v6_18];
export const policies: Record<string, Policy> = Object.fromEntries(policyList.map((p) => [p.name, p]));
export const policyNames: readonly string[] = policyList.map((p) => p.name);
import { DEFAULT_POLICY } from './default.js';
export { DEFAULT_POLICY } from './default.js';

export function getPolicy(name: string | undefined): Policy | undefined {
  return policies[name ?? DEFAULT_POLICY];
}

/** The policy before `p` in kernel order (undefined for v4.0). */
export function predecessor(p: Policy): Policy | undefined {
  const i = policyList.indexOf(p);
  return i > 0 ? policyList[i - 1] : undefined;
}
