import { ApiError, type ErrorCode } from '../domain/errors.ts';
import { allows } from '../domain/roles.ts';
import type { Caller } from '../service/context.ts';
import type { Api, RouteDef } from './route.ts';

/** The service an API's actions belong to, in IAM's `service:resource:verb` names. */
const SERVICE: Partial<Record<Api, string>> = { endpoint: 'vpcep', vpc: 'vpc', admin: 'vpcep' };

/** Path segments whose IAM resource name is not the segment itself. */
const RESOURCE: Record<string, string> = {
  'vpc-endpoints': 'endpoints',
  'vpc-endpoint-services': 'epservices',
  routetables: 'routeTables',
};

const camel = (s: string) => s.replace(/[-_]([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * The IAM action a project-scoped route performs, such as `vpcep:endpoints:update`; undefined for
 * routes outside a project (IAM, versions, health), which decide their own permissions. The
 * resource is the path's first fixed segment after the project (`tags` in
 * `/:resource_type/:resource_id/tags/action`, where the path names the resource kind); the verb
 * follows the method, and a read of one item is `get`, of a collection `list`.
 */
export function actionOf(def: Pick<RouteDef, 'url' | 'method' | 'api' | 'action'>): string | undefined {
  if (def.action !== undefined) return def.action;
  const service = SERVICE[def.api];
  const segments = def.url.split('/').filter(Boolean);
  const at = segments.indexOf(':project_id');
  if (service === undefined || at < 0 || at + 1 >= segments.length) return undefined;
  const first = segments.slice(at + 1).find((s) => !s.startsWith(':')) ?? segments[at + 1]!;
  const resource = RESOURCE[first] ?? camel(first);
  const last = segments.at(-1)!;
  const verb =
    def.method === 'GET'
      ? last.startsWith(':')
        ? 'get'
        : 'list'
      : def.method === 'POST'
        ? last === 'action'
          ? 'update'
          : 'create'
        : def.method === 'PUT'
          ? 'update'
          : 'delete';
  return `${service}:${resource}:${verb}`;
}

/**
 * Whether the caller's roles on the project allow the action. No role at all on the project is
 * refused as the gateway refuses it; a role that does not allow this action, by the service, in
 * its own envelope.
 */
export function authorize(caller: Caller, action: string, api: Api): void {
  if (caller.roles.length === 0) {
    throw new ApiError('APIGW.0302', `The user has no permission on project ${caller.project_id}.`);
  }
  if (allows(caller.roles, action)) return;
  const code = deniedCode(api);
  throw new ApiError(
    code,
    code === 'VPCEP.0403' ? `(${action})` : `Policy doesn't allow ${action} to be performed.`,
  );
}

/** The code a role without the action is refused with, in its API's envelope. */
export const deniedCode = (api: Api): ErrorCode => (api === 'vpc' ? 'VPCEP.0403' : 'EndPoint.0004');
