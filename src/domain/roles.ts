/**
 * The system roles an account's admin grants to user groups per project (IAM
 * `KeystoneListPermissions`), and the one rule that decides a call: an action `service:resource:verb`
 * is allowed when some statement of a granted role allows it and none denies it.
 *
 * Names and display names follow Huawei's published system permissions where they are known
 * ("Tenant Administrator" is `te_admin`, "Tenant Guest" `readonly_adapter`, "VPCEndpoint
 * Administrator"); the fine-grained policies ("VPCEP FullAccess", …) are published by display name
 * only, so their `name`s here are this server's. Ids are fixed, so a grant survives a restart and
 * reads the same on every replica.
 */

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
}

export interface SystemRole {
  id: string;
  name: string;
  display_name: string;
  description: string;
  catalog: string;
  /** `AA`: granted on the domain and on projects; `XA`: on projects only (Huawei's role types). */
  type: 'AA' | 'XA';
  flag?: 'fine_grained';
  policy: { Version: string; Statement: Statement[]; Depends?: { catalog: string; display_name: string }[] };
}

/** The group every account has, holding full access on all its projects; its members administer IAM. */
export const ADMIN_GROUP = 'admin';
/** A grant's project for "every project of the domain, those made later included". */
export const ALL_PROJECTS = '*';

export const ROLE_TENANT_ADMIN = '6052dc2e2ab55c5323a2b1836d1c0381';
export const ROLE_TENANT_GUEST = '3098bcd42b6fbd1a863a22fc992ec678';
export const ROLE_VPCEP_FULL = 'fcaf7a7d70f307f1dc50ea1d20094205';
export const ROLE_VPCEP_READONLY = 'fc7ad437fec91e106e65007ed71dd899';

const READ = (service: string) => [`${service}:*:get*`, `${service}:*:list*`];

export const SYSTEM_ROLES: readonly SystemRole[] = [
  {
    id: ROLE_TENANT_ADMIN,
    name: 'te_admin',
    display_name: 'Tenant Administrator',
    description: 'Tenant Administrator (Exclude IAM)',
    catalog: 'BASE',
    type: 'AA',
    policy: {
      Version: '1.0',
      Statement: [
        { Effect: 'Allow', Action: ['*:*:*'] },
        { Effect: 'Deny', Action: ['identity:*:*'] },
      ],
    },
  },
  {
    id: ROLE_TENANT_GUEST,
    name: 'readonly_adapter',
    display_name: 'Tenant Guest',
    description: 'Tenant Guest (Exclude IAM)',
    catalog: 'BASE',
    type: 'AA',
    policy: {
      Version: '1.0',
      Statement: [
        { Effect: 'Allow', Action: ['*:*:get*', '*:*:list*'] },
        { Effect: 'Deny', Action: ['identity:*:*'] },
      ],
    },
  },
  {
    id: 'b637c5cb3614361642b3ece66d7b1461',
    name: 'vpcep_adm',
    display_name: 'VPCEndpoint Administrator',
    description: 'VPC Endpoint Administrator',
    catalog: 'VPCEP',
    type: 'XA',
    policy: {
      Version: '1.0',
      Statement: [{ Effect: 'Allow', Action: ['vpcep:*:*'] }],
      Depends: [{ catalog: 'VPC', display_name: 'VPC Administrator' }],
    },
  },
  {
    id: '6078b86cfc1a8ce8b650fd23ca33bdb2',
    name: 'vpc_netadm',
    display_name: 'VPC Administrator',
    description: 'VPC Administrator',
    catalog: 'VPC',
    type: 'XA',
    policy: { Version: '1.0', Statement: [{ Effect: 'Allow', Action: ['vpc:*:*'] }] },
  },
  {
    id: ROLE_VPCEP_FULL,
    name: 'system_all_vpcep_full',
    display_name: 'VPCEP FullAccess',
    description: 'All permissions of VPC Endpoint, and reading VPCs and route tables.',
    catalog: 'VPCEP',
    type: 'XA',
    flag: 'fine_grained',
    policy: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['vpcep:*:*', ...READ('vpc')] }] },
  },
  {
    id: ROLE_VPCEP_READONLY,
    name: 'system_all_vpcep_ro',
    display_name: 'VPCEP ReadOnlyAccess',
    description: 'Read-only permissions of VPC Endpoint, VPCs and route tables.',
    catalog: 'VPCEP',
    type: 'XA',
    flag: 'fine_grained',
    policy: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: [...READ('vpcep'), ...READ('vpc')] }] },
  },
  {
    id: '1f0ddd24548ab9e2429979a0bae44ef0',
    name: 'system_all_vpc_full',
    display_name: 'VPC FullAccess',
    description: 'All permissions of VPC.',
    catalog: 'VPC',
    type: 'XA',
    flag: 'fine_grained',
    policy: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['vpc:*:*'] }] },
  },
  {
    id: '131bb8706e7db53cf8993881555b3a2f',
    name: 'system_all_vpc_ro',
    display_name: 'VPC ReadOnlyAccess',
    description: 'Read-only permissions of VPC.',
    catalog: 'VPC',
    type: 'XA',
    flag: 'fine_grained',
    policy: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: READ('vpc') }] },
  },
];

const byId = new Map(SYSTEM_ROLES.map((r) => [r.id, r]));

export const systemRole = (id: string): SystemRole | undefined => byId.get(id);

/** One segment of an action pattern: `*`, a literal, or a prefix ending in `*` (`get*`). */
function segmentMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.split(':');
  const a = action.split(':');
  return p.length === a.length && p.every((seg, i) => segmentMatches(seg, a[i]!));
}

/** Whether the roles allow the action: some statement allows it and none denies it. */
export function allows(roleIds: Iterable<string>, action: string): boolean {
  let allowed = false;
  for (const id of roleIds) {
    for (const s of systemRole(id)?.policy.Statement ?? []) {
      if (!s.Action.some((p) => actionMatches(p, action))) continue;
      if (s.Effect === 'Deny') return false;
      allowed = true;
    }
  }
  return allowed;
}
