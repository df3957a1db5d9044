import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The published VPC Endpoint API (`spec/published/vpcep.json`) as the suites read it, and the check
 * that an answer is what it publishes: a published status, and a body its response schema accepts.
 *
 * The published schemas are loose: objects rarely say `type: object`, and almost nothing is
 * `required`. Read as they are, a string where an object belongs would pass, and so would a
 * misspelt field (the right one is just "absent"). So every object that lists its properties is
 * checked as an object of those properties and no others, and the fields vpcep sends beyond them
 * are declared below, each with its reason. Formats are checked too (`date-time`, `ipv6`, `int32`).
 */

export interface PublishedParameter {
  in: 'path' | 'query' | 'body' | 'header';
  name: string;
  required?: boolean;
  type?: string;
  minLength?: number;
  maxLength?: number;
  enum?: string[];
}

export interface PublishedOperation {
  operation: string;
  method: string;
  path: string;
  parameters: PublishedParameter[];
  responses: Record<string, { schema?: Schema }>;
  definitions: Record<string, Schema>;
}

type Schema = { [keyword: string]: unknown };

const FILE = path.resolve(import.meta.dirname, '../../spec/published/vpcep.json');

/** Every published operation by its name (operationId). */
export const PUBLISHED: Readonly<Record<string, PublishedOperation>> = Object.fromEntries(
  Object.values(JSON.parse(fs.readFileSync(FILE, 'utf8')) as Record<string, PublishedOperation>).map((op) => [
    op.operation,
    op,
  ]),
);

/** The fields of the endpoint object (reference.md §2.1) that vpcep answers with. */
const ENDPOINT_FIELDS = [
  'id',
  'service_type',
  'status',
  'active_status',
  'enable_status',
  'specification_name',
  'endpoint_service_id',
  'endpoint_service_name',
  'marker_id',
  'vpc_id',
  'subnet_id',
  'ip',
  'enable_dns',
  'dns_names',
  'routetables',
  'whitelist',
  'enable_whitelist',
  'description',
  'policy_statement',
  'policy_document',
  'project_id',
  'tags',
  'created_at',
  'updated_at',
] as const;

const ENDPOINT_OBJECT =
  'the answer is the endpoint object of the detail and create answers (reference.md §2.1); ' +
  'this schema lists part of it';
const SERVICE_OBJECT =
  'a service answer is the one service object of show, list and create (reference.md §3), ' +
  'which has cidr_type, connection_count and domain_id; this schema lists part of it';
const SERVICE_EXTRAS = { fields: ['cidr_type', 'connection_count', 'domain_id'], why: SERVICE_OBJECT };

/**
 * Fields vpcep answers with that an operation's published schema does not list, by operation and
 * definition, each with the reason it is sent. A field not declared here, nor published, fails.
 */
const EXTRA_FIELDS: Record<string, Record<string, { fields: readonly string[]; why: string }>> = {
  ListEndpoints: {
    EndpointResponseBody: {
      fields: ['enable_status', 'specification_name'],
      why:
        'a list item is the endpoint object of the detail and create answers (reference.md §2.1), ' +
        'whose published schemas have both; the older list schema predates them',
    },
  },
  CreateEndpoint: {
    CreateEndpointResponseBody: {
      fields: ['dns_names'],
      why: 'the create answer is the endpoint object (reference.md §2.1): dns_names when enable_dns',
    },
  },
  UpdateEndpointWhite: {
    UpdateEndpointWhitelistResponseBody: { fields: ENDPOINT_FIELDS, why: ENDPOINT_OBJECT },
  },
  UpdateEndpointPolicy: { EndpointPolicyResponseBody: { fields: ENDPOINT_FIELDS, why: ENDPOINT_OBJECT } },
  DeleteEndpointPolicy: { EndpointPolicyResponseBody: { fields: ENDPOINT_FIELDS, why: ENDPOINT_OBJECT } },
  CreateEndpointService: { ServiceResponseBody: SERVICE_EXTRAS },
  UpdateEndpointService: { ServiceResponseBody: SERVICE_EXTRAS },
  ListServiceDetails: { ServiceDetailsResponseBody: SERVICE_EXTRAS },
  ListEndpointService: { ServiceList: SERVICE_EXTRAS },
  ListServicePermissionsDetails: {
    PermissionObject: {
      fields: ['description'],
      why:
        'a list entry is the permission entry of the batch-create and description answers, ' +
        'whose published schema (EpsPermission) has its description',
    },
  },
};

/** dns_names items are published as at most 32 characters, the whitelist's limit. */
const DNS_NAMES = {
  field: 'dns_names',
  keyword: 'maxLength',
  why:
    'a DNS name is <endpoint id>.vpcep.<region>.myhuaweicloud.com (reference.md §2.1); ' +
    'the id alone is 36 characters, so no such name fits 32',
};

/**
 * Published rules of answer fields that vpcep's values break, by operation, definition and field,
 * each with its reason: the keyword is not checked on that field (nor on its items).
 */
const RELAXED: Record<string, Record<string, { field: string; keyword: string; why: string }[]>> = {
  ListEndpointService: {
    ServiceList: [
      {
        field: 'service_name',
        keyword: 'pattern',
        why:
          "the pattern is the request's short name; the answer holds the full <region>.<name>.<id> " +
          '(reference.md §3), as every other service answer does',
      },
    ],
  },
  ListEndpointInfoDetails: { EndpointInfoResponseBody: [DNS_NAMES] },
  ListEndpoints: { EndpointResponseBody: [DNS_NAMES] },
  UpdateEndpointWhite: { UpdateEndpointWhitelistResponseBody: [DNS_NAMES] },
  AddOrRemoveServicePermissions: {
    OperatePermissionsResponseBody: [
      {
        field: 'permissions',
        keyword: 'maxLength',
        why:
          'entries are answered as sent, iam:domain::<domain id> (44), the format the request ' +
          'publishes (up to 1024); 32 fits the bare domain id only',
      },
    ],
  },
};

/** Formats the published schemas use; an unknown one would be ignored, so each is defined. */
const FORMATS = {
  // RFC 3339; VPC Endpoint times are `YYYY-MM-DDTHH:MM:SSZ` (api-surface.md).
  'date-time': (s: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
    !Number.isNaN(Date.parse(s)),
  ipv6: (s: string) => net.isIPv6(s),
};

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: check });
ajv.addFormat('int32', {
  type: 'number',
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31,
});

/**
 * A published schema made strict: an object with `properties` is an object, of those properties
 * (and the declared extras) only. Free-form objects (`type: object` without properties, such as a
 * policy document) stay free.
 */
function strict(
  schema: unknown,
  extras: readonly string[] = [],
  relaxed: readonly { field: string; keyword: string }[] = [],
): unknown {
  if (Array.isArray(schema)) return schema.map((s) => strict(s));
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    // Draft 4's boolean form (ListResourceInstances' total_count has one, with no maximum to
    // qualify): it bounds nothing, and Ajv's draft refuses it as a schema.
    if ((k === 'exclusiveMaximum' || k === 'exclusiveMinimum') && typeof v === 'boolean') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Schema).map(([name, p]) => [name, strict(p)]));
    } else out[k] = typeof v === 'object' ? strict(v) : v;
  }
  if (s.properties !== undefined) {
    out.type ??= 'object';
    out.additionalProperties ??= false;
    for (const field of extras) (out.properties as Schema)[field] ??= {};
    for (const { field, keyword } of relaxed) {
      const p = (out.properties as Schema)[field] as Schema | undefined;
      if (p === undefined) continue;
      delete p[keyword];
      if (typeof p.items === 'object' && p.items !== null) delete (p.items as Schema)[keyword];
    }
  }
  return out;
}

const compiled = new Map<string, ValidateFunction | null>();

/** The validator of an operation's answer with `status`; null where it publishes no body. */
function validatorOf(operationId: string, status: number): ValidateFunction | null {
  const key = `${operationId} ${status}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const op = PUBLISHED[operationId];
  assert.ok(op, `${operationId} is not a published operation`);
  const response = op.responses[String(status)];
  assert.ok(
    response,
    `${operationId} publishes no answer with status ${status}: ${Object.keys(op.responses)}`,
  );
  let validate: ValidateFunction | null = null;
  if (response.schema) {
    const extras = EXTRA_FIELDS[operationId] ?? {};
    const relaxed = RELAXED[operationId] ?? {};
    const definitions = Object.fromEntries(
      Object.entries(op.definitions).map(([name, d]) => [
        name,
        strict(d, extras[name]?.fields, relaxed[name]),
      ]),
    );
    validate = ajv.compile({ ...(strict(response.schema) as Schema), definitions });
  }
  compiled.set(key, validate);
  return validate;
}

const describe = (e: ErrorObject) =>
  `${e.instancePath || '(body)'} ${e.message ?? e.keyword}${
    e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''
  }`;

/** What the published schema finds wrong with `body` as `operationId`'s answer with `status`; [] if nothing. */
export function publishedProblems(operationId: string, status: number, body: unknown): string[] {
  const validate = validatorOf(operationId, status);
  if (validate === null) return body === undefined || body === '' ? [] : ['a body where none is published'];
  return validate(body) ? [] : (validate.errors ?? []).map(describe);
}

/**
 * Asserts `res` is a success of `operationId` as published: the status (the published one when
 * the operation has one only), JSON with a body the response schema accepts, or no body at all
 * where none is published.
 */
export function expectPublished(
  res: { status: number; headers: Record<string, unknown>; raw: string },
  operationId: string,
): void {
  const statuses = Object.keys(PUBLISHED[operationId]?.responses ?? {}).map(Number);
  assert.ok(
    statuses.includes(res.status),
    `${operationId}: status ${res.status} is not published: ${res.raw}`,
  );
  const validate = validatorOf(operationId, res.status);
  if (validate === null) {
    assert.equal(res.raw, '', `${operationId}: a body where none is published`);
    return;
  }
  assert.match(String(res.headers['content-type']), /^application\/json/, `${operationId}: ${res.raw}`);
  const problems = publishedProblems(operationId, res.status, JSON.parse(res.raw));
  assert.deepEqual(problems, [], `${operationId}: the answer is off its published schema: ${res.raw}`);
}
