/** Policy name → policy. */
import type { Policy } from './policy.js';
import { v6_18 } from './v6.18.js';

export const policies: Record<string, Policy> = { 'v6.18': v6_18 };
export const DEFAULT_POLICY = 'v6.18';

export function getPolicy(name: string | undefined): Policy | undefined {
  return policies[name ?? DEFAULT_POLICY];
}
