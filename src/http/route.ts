import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Caller } from '../service/context.ts';

/** Which API a route belongs to; decides the error envelope and the generic error codes. */
export type Api = 'endpoint' | 'vpc' | 'iam' | 'meta' | 'admin';

/** Who may call a route: a tenant (true), the operator, or anyone (false). */
export type Auth = boolean | 'operator';

type Infer<S> = S extends TSchema ? Static<S> : undefined;

export interface RouteSchemas {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** Response schemas by status: answers are serialized through them. */
  response?: Record<number, TSchema>;
}

export interface HandlerInput<S extends RouteSchemas, A extends Auth> {
  params: Infer<S['params']>;
  query: Infer<S['querystring']>;
  body: Infer<S['body']>;
  caller: A extends true ? Caller : undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One API operation, declared as data: app.ts registers every route from these, answers 405 for
 * the other methods of each path.
 */
export interface RouteDef<S extends RouteSchemas = RouteSchemas, A extends Auth = Auth> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  api: Api;
  /** The operation's name in the published API (SDK method name). */
  operationId: string;
  /** The IAM action, where the one http/authorize.ts derives from the path is not the published one. */
  action?: string;
  /**
   * true: a valid token or signature of the path's project is required; 'operator': the operator
   * key, and no tenant credential (service/accounts.ts); false: nothing.
   */
  auth: A;
  schema: S;
  /** Success status; a handler answering 204 returns undefined. */
  status?: number;
  /**
   * The property of the success answer (an array of objects) whose items the service may hand out
   * again as the very same objects, never changed (service/endpoint-views.ts): each item's JSON is
   * kept with its object and reused (schema-compilers.ts, keptItemsSerializer).
   */
  keptItems?: string;
  /** The media type of the success answer, when it is not JSON (the reference page's HTML). */
  produces?: string;
  handler: (input: HandlerInput<S, A>) => Promise<unknown>;
}

/** Identity function that ties a route's schemas to its handler's argument types. */
export function route<S extends RouteSchemas, A extends Auth>(def: RouteDef<S, A>): RouteDef {
  return def as unknown as RouteDef;
}

/**
 * A request schema as the validator sees it: a copy in which every object without its own rule
 * for extra fields gets `additionalProperties: false`. With Ajv's `removeAdditional` (app.ts) a
 * field the API does not know is dropped before the handler runs, so it can never reach a row or
 * the audit log; it is not refused, because the cloud ignores such fields and newer SDKs and
 * Terraform send fields this server does not model. Objects with `patternProperties` (maps such as
 * a policy condition) keep their own rule.
 */
export function closedSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(closedSchema) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = closedSchema(v);
  const isObject = out.type === 'object' || out.properties !== undefined;
  if (isObject && out.additionalProperties === undefined && out.patternProperties === undefined) {
    out.additionalProperties = false;
  }
  return out as T;
}

/** The request parts of a route's schemas closed (closedSchema); responses as they are. */
export function requestSchemas(schema: RouteSchemas): RouteSchemas {
  const out: RouteSchemas = { ...schema };
  if (schema.params) out.params = closedSchema(schema.params);
  if (schema.querystring) out.querystring = closedSchema(schema.querystring);
  if (schema.body) out.body = closedSchema(schema.body);
  return out;
}
