import pkg from '../../../package.json' with { type: 'json' };
import { ApiError, type ErrorCode } from '../../domain/errors.ts';
import * as accountsWire from '../../wire/accounts.ts';
import * as auditWire from '../../wire/audit.ts';
import * as commonWire from '../../wire/common.ts';
import * as faultsWire from '../../wire/faults.ts';
import * as iamWire from '../../wire/iam.ts';
import * as vpcWire from '../../wire/vpc.ts';
import * as vpcepOperations from '../../wire/vpcep-operations.ts';
import * as vpcepWire from '../../wire/vpcep.ts';
import { actionOf, deniedCode } from '../authorize.ts';
import { GENERIC } from '../error-handler.ts';
import type { Api, RouteDef } from '../route.ts';
import { isNotImplemented } from '../routes/not-implemented.ts';

/**
 * The OpenAPI 3.1 document of every route, generated from the routes as declared (http/route.ts)
 * and their TypeBox schemas, which are JSON Schema already: nothing in it is written by hand but
 * the prose. The error answers are what the pipeline and the error handler make of a route's
 * declaration (spec/errors.md): the envelopes its API answers in, and the codes its
 * authentication, its schemas and its body can produce; an operation's own codes (EndPoint.2006…)
 * are the service's and are not listed.
 */

export type Schema = { [keyword: string]: unknown };

export interface Ref {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: Schema;
}

export interface Response {
  description: string;
  headers?: Record<string, Ref>;
  content?: Record<string, { schema: Schema }>;
  /** The codes this answer is known to carry (all of them for an error answer by status class). */
  'x-error-codes'?: string[];
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: true; content: Record<string, { schema: Schema }> };
  responses: Record<string, Response | Ref>;
  /** Which API the operation belongs to (its error envelope): http/route.ts `Api`. */
  'x-vpcep-api': Api;
  /** The IAM action the caller's roles must allow (http/authorize.ts), where the route has one. */
  'x-vpcep-action'?: string;
  /** false for a published operation vpcep answers 501 to (http/routes/not-implemented.ts). */
  'x-vpcep-served': boolean;
}

export type Method = 'get' | 'put' | 'post' | 'delete';

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, Response>;
    headers: Record<string, { description: string; schema: Schema }>;
    securitySchemes: Record<string, Schema>;
  };
}

const DESCRIPTION = [
  "vpcep, a control plane for VPC endpoints, wire-compatible with Huawei Cloud's VPC Endpoint API " +
    '(and the parts of the VPC and IAM APIs it needs). Operation names are those of the published API.',
  'Authentication: a token in `X-Auth-Token` (from `POST /v3/auth/tokens`), or an AK/SK signature ' +
    '(`Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` with `X-Sdk-Date`, and ' +
    '`X-Security-Token` for a temporary key). The operator API takes `Authorization: Bearer <operator key>`.',
  'Errors come in the envelope of the API a route belongs to: `{"error":{"code","message"}}` (VPC Endpoint), ' +
    'plus `error_code`, `error_msg`, `request_id` for gateway errors (`APIGW.*`), plus top-level `code` and ' +
    '`message` on VPC routes, and Keystone\'s `{"error":{"code":401,"message","title"}}` on IAM routes. ' +
    'Every answer carries `X-Request-Id`. An unknown path is 404 `APIGW.0101`; another method of a known ' +
    'path 405 `VPCEP.0405` with `Allow`; every GET also answers HEAD. Unknown request fields are ignored, ' +
    'as the cloud does.',
].join('\n\n');

/** What each security scheme is, in the words of spec/signing.md and spec/iam.md. */
const SECURITY_SCHEMES: Record<string, Schema> = {
  token: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-Token',
    description:
      'A token from `POST /v3/auth/tokens` (in its `X-Subject-Token` answer header), scoped to a project.',
  },
  aksk: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'An access key signature, as the official SDKs make it: `SDK-HMAC-SHA256 Access=<AK>, ' +
      'SignedHeaders=<names>, Signature=<hex>` over the canonical request, with `X-Sdk-Date` ' +
      '(`YYYYMMDDTHHMMSSZ`, within 15 minutes of the server clock) and, for a temporary key, ' +
      '`X-Security-Token` (spec/signing.md).',
  },
  operator: {
    type: 'http',
    scheme: 'bearer',
    description: "The operator key of the accounts API (`data/credentials.json`'s `operator_key`).",
  },
};

/** The answer envelopes, by the error family that decides them (error-handler.ts `errorBody`). */
const text = { type: 'string' };
const closed = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  additionalProperties: false,
});
const ENVELOPES: Record<string, Schema> = {
  EndpointError: closed({ error: closed({ code: text, message: text }) }),
  GatewayError: closed({
    error: closed({ code: text, message: text }),
    error_code: text,
    error_msg: text,
    request_id: text,
  }),
  VpcError: closed({ error: closed({ code: text, message: text }), code: text, message: text }),
  KeystoneError: closed({ error: closed({ code: { type: 'integer' }, message: text, title: text }) }),
};

/**
 * The envelopes a route of each API can answer in. Gateway errors (authentication, size) come on
 * every route; the codes every API shares stay in the VPC Endpoint envelope on IAM routes, and
 * take the VPC fields on VPC routes, except the body timeout (error-handler.ts `familyFor`).
 */
const ERROR_ENVELOPES: Record<Api, string[]> = {
  endpoint: ['EndpointError', 'GatewayError'],
  meta: ['EndpointError', 'GatewayError'],
  admin: ['EndpointError', 'GatewayError'],
  vpc: ['VpcError', 'GatewayError', 'EndpointError'],
  iam: ['KeystoneError', 'GatewayError', 'EndpointError'],
};
const errorSchemaName = (api: Api) => `${api[0]!.toUpperCase()}${api.slice(1)}ApiError`;

/** The error answers any operation may give beyond those it lists (spec/errors.md). */
const OTHER_CLIENT_ERRORS: ErrorCode[] = ['VPCEP.0406', 'EndPoint.0013', 'VPCEP.0409', 'APIGW.0308'];
const SERVER_ERRORS: ErrorCode[] = ['EndPoint.0001', 'VPCEP.0502', 'VPCEP.0503', 'EndPoint.0013'];

/**
 * The wire modules (every file of src/wire, test/api/openapi.test.ts holds it to the folder), whose
 * named object schemas become components under their export names.
 */
export const WIRE_MODULES: Record<string, Record<string, unknown>> = {
  common: commonWire,
  vpcep: vpcepWire,
  'vpcep-operations': vpcepOperations,
  vpc: vpcWire,
  iam: iamWire,
  accounts: accountsWire,
  faults: faultsWire,
  audit: auditWire,
};

/**
 * The tags, each with the resources it groups: a route's resource is the first fixed segment of its
 * path that is no prefix or version (`/v1/{project_id}/vpc-endpoints/…` → `vpc-endpoints`,
 * `/v3/auth/tokens` → `auth`, `/` → ``); a resource not listed is a tag of its own.
 */
const TAGS: { name: string; resources: string[]; description: string }[] = [
  { name: 'Versions', resources: [''], description: 'The API versions this server speaks.' },
  {
    name: 'Health',
    resources: ['healthz', 'readyz'],
    description: 'Liveness and readiness, for load balancers.',
  },
  {
    name: 'Reference',
    resources: ['openapi.json', 'docs'],
    description: 'This document, and a page that renders it.',
  },
  {
    name: 'Tokens',
    resources: ['auth'],
    description: 'Password login, token validation, and the scopes of a token.',
  },
  { name: 'Access keys', resources: ['OS-CREDENTIAL'], description: 'Permanent and temporary AK/SK pairs.' },
  {
    name: 'Users and groups',
    resources: ['users', 'groups'],
    description: "An account's users and groups (spec/iam.md).",
  },
  {
    name: 'Projects and roles',
    resources: ['projects', 'roles'],
    description: 'Projects, roles and their grants (spec/iam.md).',
  },
  {
    name: 'Accounts (operator)',
    resources: ['accounts'],
    description: 'The operator API: accounts and their quotas.',
  },
  {
    name: 'VPCs and subnets',
    resources: ['vpcs', 'subnets'],
    description: 'VPCs and their subnets (VPC API).',
  },
  {
    name: 'Route tables',
    resources: ['routetables'],
    description: 'Route tables and their routes (VPC API).',
  },
  {
    name: 'Ports',
    resources: ['ports'],
    description: 'Ports: the backends of interface services (VPC API).',
  },
  {
    name: 'Endpoints',
    resources: ['vpc-endpoints'],
    description: 'VPC endpoints, and UpdateEndpointRoutetable, the centre of vpcep (spec/routetables.md).',
  },
  {
    name: 'Endpoint services',
    resources: ['vpc-endpoint-services'],
    description: 'Endpoint services: public ones, your own, who may connect, and the connections.',
  },
  {
    name: 'Tags',
    resources: ['tags', 'resource_instances'],
    description: 'Tags of endpoints and endpoint services.',
  },
  { name: 'Quotas', resources: ['quotas'], description: 'Quotas of the project (spec/quotas.md).' },
  {
    name: 'Audit trail',
    resources: ['audit-events'],
    description: "The project's audit events, newest first (spec/audit.md).",
  },
  {
    name: 'Fault injection',
    resources: ['faults'],
    description: "vpcep's own: make the route backend fail on purpose.",
  },
];
const TAG_OF = new Map(TAGS.flatMap(({ resources, ...tag }) => resources.map((r) => [r, tag])));

const resourceOf = (url: string) =>
  url.split('/').find((s) => s !== '' && !s.startsWith(':') && s !== 'vpcep' && !/^v\d+(\.\d+)?$/.test(s)) ??
  '';

const tagOf = (url: string): { name: string; description?: string } => {
  const resource = resourceOf(url);
  return TAG_OF.get(resource) ?? { name: resource };
};

/** `UpdateEndpointRoutetable` → `Update endpoint routetable`. */
const summaryOf = (operationId: string) =>
  operationId.replace(/(?<=[a-z0-9])([A-Z])/g, (c) => ` ${c.toLowerCase()}`);

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * TypeBox schemas as plain JSON Schema (their enumerable keys; TypeBox's markers are not), where
 * every object schema a wire module exports by name is put in the components once and referred to.
 */
class Schemas {
  readonly components: Record<string, Schema> = {};
  readonly #names = new Map<object, string>();

  constructor(modules: Record<string, Record<string, unknown>>) {
    const taken = new Set<string>();
    for (const [module, exports] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(exports)) {
        if (!isObject(value) || value.type !== 'object' || this.#names.has(value)) continue;
        // Two modules may export one name (vpc and iam each have theirs): the later one is prefixed.
        const unique = taken.has(name) ? `${module[0]!.toUpperCase()}${module.slice(1)}${name}` : name;
        taken.add(unique);
        this.#names.set(value, unique);
      }
    }
  }

  convert(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.convert(s));
    if (!isObject(schema)) return schema;
    const name = this.#names.get(schema);
    if (name === undefined) return this.#plain(schema);
    this.components[name] ??= this.#plain(schema);
    return { $ref: `#/components/schemas/${name}` };
  }

  #plain(schema: Schema): Schema {
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, this.convert(v)]));
  }
}

/** Every `x-error-code` a schema names (the codes its fields fail with; error-handler.ts). */
function schemaCodes(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) schemaCodes(s, out);
  else if (isObject(schema)) {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'x-error-code' && typeof v === 'string') out.add(v);
      else schemaCodes(v, out);
    }
  }
  return out;
}

const requestId = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

/** An error answer of a route's API with the codes it is known to carry, each with its message. */
function errorResponse(api: Api, codes: Iterable<string>, lead?: string): Response {
  const list = [...new Set(codes)];
  const lines = list.map((code) => `\`${code}\` ${new ApiError(code as ErrorCode).message}`);
  return {
    description: [lead, ...lines].filter(Boolean).join('\n\n') || 'An error.',
    headers: requestId,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${errorSchemaName(api)}` } } },
    ...(list.length > 0 ? { 'x-error-codes': list } : {}),
  };
}

/** An answer that may say when to retry. */
const withRetryAfter = (r: Response): Response => ({
  ...r,
  headers: { ...r.headers, 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
});

/** The error answers a route's declaration tells: authentication, its schemas and its body. */
function errorResponses(r: RouteDef): Record<string, Response | Ref> {
  const out: Record<string, Response | Ref> = {};
  const generic = GENERIC[r.api];
  const inputs = [r.schema.params, r.schema.querystring, r.schema.body].filter(Boolean);
  if (inputs.length > 0) {
    const codes = [generic.invalid, ...schemaCodes(inputs), ...(r.schema.body ? [generic.empty] : [])];
    out['400'] = errorResponse(r.api, codes, 'A parameter or the body breaks a rule of its schema.');
  }
  if (r.auth === true) {
    out['401'] = errorResponse(r.api, ['APIGW.0301'], 'No credential, or one this server does not accept.');
  } else if (r.auth === 'operator') {
    out['401'] = errorResponse(r.api, ['VPCEP.0401'], 'No operator key, or another.');
  }
  const action = actionOf(r);
  // The project check and the roles apply where the path names a project (http/pipeline.ts).
  if (r.auth === true && r.api !== 'iam' && r.url.includes(':project_id')) {
    const codes: ErrorCode[] = ['APIGW.0302', ...(action !== undefined ? [deniedCode(r.api)] : [])];
    out['403'] = errorResponse(r.api, codes, 'The credential is not allowed this call on this project.');
  }
  if (r.schema.body) out['413'] = errorResponse(r.api, ['APIGW.0201'], 'The body is over the size limit.');
  if (isNotImplemented(r)) out['501'] = errorResponse(r.api, ['VPCEP.0501'], 'Not served by vpcep.');
  out['4XX'] = { $ref: `#/components/responses/${errorSchemaName(r.api)}4XX` };
  out['5XX'] = { $ref: `#/components/responses/${errorSchemaName(r.api)}5XX` };
  return out;
}

const NAMES = /:(\w+)/g;
const shapeOf = (url: string) => url.replace(NAMES, ':');
const namesOf = (url: string) => [...url.matchAll(NAMES)].map((m) => m[1]!);

/** Builds the document of `routes`: one operation each, on the path its URL's shape first had. */
export function openApiDocument(routes: readonly RouteDef[]): OpenApiDocument {
  const schemas = new Schemas(WIRE_MODULES);
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Map<string, { name: string; description?: string }>();
  const operationIds = new Set<string>();
  // The router takes two routes of one shape as one path (http/routing.ts), and so does OpenAPI:
  // the first route's parameter names are the path's, and a later route's are renamed to them.
  const canonical = new Map<string, string>();
  for (const r of routes) if (!canonical.has(shapeOf(r.url))) canonical.set(shapeOf(r.url), r.url);

  for (const r of routes) {
    if (operationIds.has(r.operationId)) throw new Error(`two routes are named ${r.operationId}`);
    operationIds.add(r.operationId);
    const url = canonical.get(shapeOf(r.url))!;
    const names = namesOf(url);
    const own = namesOf(r.url);
    const rename = (name: string) => (own.includes(name) ? names[own.indexOf(name)]! : name);
    const path = url.replace(NAMES, (_m, name: string) => `{${name}}`);

    const tag = tagOf(r.url);
    if (!tags.has(tag.name)) tags.set(tag.name, tag);
    const served = !isNotImplemented(r);
    const status = String(r.status ?? 200);
    const success = r.schema.response?.[r.status ?? 200];
    const action = actionOf(r);
    const parameters = parametersOf(r, schemas, rename);
    const operation: Operation = {
      operationId: r.operationId,
      summary: served ? summaryOf(r.operationId) : `${summaryOf(r.operationId)} (not served)`,
      ...(served
        ? {}
        : {
            description:
              'Published in the VPC Endpoint API, not served by vpcep: it answers 501 `VPCEP.0501` ' +
              'after authentication, authorization and its path parameters (spec/operations.md).',
          }),
      tags: [tag.name],
      security:
        r.auth === true ? [{ token: [] }, { aksk: [] }] : r.auth === 'operator' ? [{ operator: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.schema.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemas.convert(r.schema.body) as Schema } },
            },
          }
        : {}),
      responses: {
        ...(served
          ? {
              [status]: {
                description: status === '204' ? 'Done; no body.' : 'Done.',
                headers: requestId,
                ...(success
                  ? {
                      content: {
                        [r.produces ?? 'application/json']: { schema: schemas.convert(success) as Schema },
                      },
                    }
                  : {}),
              },
            }
          : {}),
        ...errorResponses(r),
      },
      'x-vpcep-api': r.api,
      ...(action !== undefined ? { 'x-vpcep-action': action } : {}),
      'x-vpcep-served': served,
    };
    const method = r.method.toLowerCase() as Method;
    (paths[path] ??= {})[method] = operation;
  }

  const usedApis = [...new Set(routes.map((r) => r.api))];
  return {
    openapi: '3.1.0',
    info: { title: 'vpcep', version: pkg.version, description: DESCRIPTION },
    tags: [...tags.values()],
    paths,
    components: {
      schemas: sortedKeys({
        ...schemas.components,
        ...ENVELOPES,
        ...Object.fromEntries(
          usedApis.map((api) => [
            errorSchemaName(api),
            { anyOf: ERROR_ENVELOPES[api].map((name) => ({ $ref: `#/components/schemas/${name}` })) },
          ]),
        ),
      }),
      responses: Object.fromEntries(
        usedApis.flatMap((api) => [
          [
            `${errorSchemaName(api)}4XX`,
            errorResponse(
              api,
              OTHER_CLIENT_ERRORS,
              'Other client errors, and the codes of the operation itself.',
            ),
          ],
          [
            `${errorSchemaName(api)}5XX`,
            withRetryAfter(errorResponse(api, SERVER_ERRORS, 'A fault of the server or a backend.')),
          ],
        ]),
      ),
      headers: {
        'X-Request-Id': { description: "The request's id, in the log and the audit trail.", schema: text },
        'Retry-After': { description: 'Seconds to wait before retrying (503 `VPCEP.0503`).', schema: text },
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/** The path and query parameters of a route, from the properties of its params and query schemas. */
function parametersOf(r: RouteDef, schemas: Schemas, rename: (name: string) => string): Parameter[] {
  const out: Parameter[] = [];
  for (const [part, where] of [
    ['params', 'path'],
    ['querystring', 'query'],
  ] as const) {
    const schema = r.schema[part] as Schema | undefined;
    if (schema === undefined) continue;
    if (!isObject(schema.properties))
      throw new Error(`${r.method} ${r.url}: its ${part} schema has no properties`);
    const required = (schema.required as string[] | undefined) ?? [];
    for (const [name, property] of Object.entries(schema.properties)) {
      const converted = schemas.convert(property) as Schema;
      const { description, ...rest } = converted;
      out.push({
        name: where === 'path' ? rename(name) : name,
        in: where,
        // One with a default is filled in when absent (schema-compilers.ts `useDefaults`).
        required: where === 'path' || (required.includes(name) && converted.default === undefined),
        ...(typeof description === 'string' ? { description } : {}),
        schema: typeof description === 'string' ? rest : converted,
      });
    }
  }
  // A path parameter no schema describes is still one: any text the router matched.
  for (const name of namesOf(r.url)) {
    if (!out.some((p) => p.in === 'path' && p.name === rename(name))) {
      out.push({ name: rename(name), in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  return out;
}

function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
