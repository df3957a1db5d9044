/**
 * The body of a Keystone password login (`POST /v3/auth/tokens`), as the SDKs send it: the user of
 * a domain, scoped to a project. Unset fields are the bootstrap account's: admin of domain vpcep,
 * project cn-north-4.
 */
export function passwordLogin(o: {
  password: string;
  user?: string;
  domain?: string;
  project?: { id?: string; name?: string };
}) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: { name: o.user ?? 'admin', password: o.password, domain: { name: o.domain ?? 'vpcep' } },
        },
      },
      scope: { project: o.project ?? { name: 'cn-north-4' } },
    },
  };
}
