/** Who may see an endpoint service and connect to it. Pure. */

/** Whom a service lets see and connect to it (spec/interface-services.md, "Permissions"). */
export interface Audience {
  owner_project_id: string | null;
  owner_domain_id: string;
}

/** `iam:domain::<domain id>` or `*` (the published forms of a permission). */
export const PERMISSION = /^(\*|iam:domain::[0-9a-f]{32})$/;

/**
 * Whether a caller sees a service and may connect to it: a public service, one of its own
 * account's, or one whose permissions name its domain or everyone.
 */
export function admits(
  s: Audience,
  caller: { project_id: string; domain_id: string },
  permissions: readonly string[],
): boolean {
  if (s.owner_project_id === null) return true;
  if (s.owner_project_id === caller.project_id || s.owner_domain_id === caller.domain_id) return true;
  return permissions.includes('*') || permissions.includes(`iam:domain::${caller.domain_id}`);
}
