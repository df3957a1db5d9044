import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { VPCEP_OPERATIONS } from '../../src/wire/vpcep-operations.ts';
import { notServedRoutes } from '../helpers/routes.ts';

type Coverage = Record<string, { file: string; tests: string[] }[]>;

/**
 * Which tests exercise each operation of the published API (issue 11, "What the tests must
 * show"). Every operation has an entry: the files, and the titles of the tests in them, that call
 * it and check its answer. A file must exist and name the operation (the published-schema check,
 * `expectPublished(res, '<operationId>')`, names it), and each title must be one of its tests.
 * An operation not served has no entry: the 501 test covers it, one test per operation, for as
 * long as it is not served. Serving an operation takes it off that test and fails this one until
 * its entry is here.
 */
const COVERAGE: Coverage = {
  CreateEndpointService: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: [
        '200 with the service in creating; named <region>.<name>.<id>; available once provisioned',
        'defaults: no name → <region>.<id>, approval on, tcp_proxy close, no tags, no description',
        'each published field rule broken → its status and code',
        'services sharing a port repeat no server port: 400 EndPoint.3044',
      ],
    },
  ],
  ListEndpointService: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: ['own services only; filters, sort, paging and their codes'],
    },
  ],
  ListServiceDetails: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: [
        '200 with the service in creating; named <region>.<name>.<id>; available once provisioned',
        "another account's service, or none: 400 EndPoint.2003, on every call of the provider",
      ],
    },
  ],
  UpdateEndpointService: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: [
        '200 with the service changed; the name keeps <region>.<name>.<id>',
        'each field rule broken → its status and code',
        'while creating, a service does not change: 400 EndPoint.3045; provisioned, it does',
      ],
    },
  ],
  UpdateEndpointServiceName: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: ['200 with the service changed; the name keeps <region>.<name>.<id>'],
    },
  ],
  DeleteEndpointService: [
    {
      file: 'test/api/interface-services.test.ts',
      tests: [
        '204, then the service is gone: 400 EndPoint.2003',
        'refused while an endpoint is connected: 400 EndPoint.3006; 204 once it is deleted',
      ],
    },
  ],
  ListServicePermissionsDetails: [
    {
      file: 'test/api/service-permissions.test.ts',
      tests: ['add and remove answer the whole list; each entry once; the list shows each entry'],
    },
  ],
  AddOrRemoveServicePermissions: [
    {
      file: 'test/api/service-permissions.test.ts',
      tests: [
        'nobody but its own account until the provider adds them; `*` admits everyone',
        'add and remove answer the whole list; each entry once; the list shows each entry',
      ],
    },
  ],
  BatchAddEndpointServicePermissions: [
    {
      file: 'test/api/service-permissions.test.ts',
      tests: [
        'batch-create answers the entries it added, with their descriptions; batch-delete removes by id',
      ],
    },
  ],
  BatchRemoveEndpointServicePermissions: [
    {
      file: 'test/api/service-permissions.test.ts',
      tests: [
        'batch-create answers the entries it added, with their descriptions; batch-delete removes by id',
      ],
    },
  ],
  UpdateEndpointServicePermissionDesc: [
    {
      file: 'test/api/service-permissions.test.ts',
      tests: [
        'batch-create answers the entries it added, with their descriptions; batch-delete removes by id',
        "another account's service, or none: 400 EndPoint.2003 on every permission call",
      ],
    },
  ],
  ListServiceConnections: [
    {
      file: 'test/api/connections.test.ts',
      tests: [
        'pendingAcceptance until the provider receives it; then accepted; rejected on reject',
        'filters, sort and paging',
      ],
    },
    { file: 'test/api/two-accounts.test.ts', tests: ['provider and consumer, end to end'] },
  ],
  AcceptOrRejectEndpoint: [
    {
      file: 'test/api/connections.test.ts',
      tests: [
        'pendingAcceptance until the provider receives it; then accepted; rejected on reject',
        'each field rule broken → its status and code',
      ],
    },
    { file: 'test/api/two-accounts.test.ts', tests: ['provider and consumer, end to end'] },
  ],
  UpdateEndpointConnectionsDesc: [
    {
      file: 'test/api/connections.test.ts',
      tests: [
        "the description is the provider's: the consumer's endpoint keeps its own",
        'each field rule broken → its status and code',
      ],
    },
  ],
  UpdateEndpointWhite: [
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: [
        '200 with the endpoint; the list replaced, each entry once; enable_whitelist on its own',
        'each rule broken → its status and code',
      ],
    },
    { file: 'test/api/two-accounts.test.ts', tests: ['provider and consumer, end to end'] },
  ],
  UpdateEndpointPolicy: [
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: [
        'an interface endpoint: policy_document set, answered, deleted',
        'a gateway endpoint: policy_statement set, answered, deleted',
        'each rule broken → its status and code',
      ],
    },
  ],
  DeleteEndpointPolicy: [
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: [
        'an interface endpoint: policy_document set, answered, deleted',
        'a gateway endpoint: policy_statement set, answered, deleted',
      ],
    },
  ],
  ListVersionDetails: [
    {
      file: 'test/api/versions.test.ts',
      tests: [
        'ListVersionDetails: GET / lists v1, as published, whatever the credential',
        'the version paths take GET (and HEAD) only: 405 with Allow, before authentication',
      ],
    },
  ],
  ListSpecifiedVersionDetails: [
    {
      file: 'test/api/versions.test.ts',
      tests: [
        "ListSpecifiedVersionDetails: GET /v1 is {version: …}, the list's own entry",
        "a version's self link answers with that version",
        'ListSpecifiedVersionDetails: a version this server does not have → 404 EndPoint.0005',
      ],
    },
  ],
  ListServicePublicDetails: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: [
        'GET /vpc-endpoint-services/public lists the configured gateway services',
        'public list: name filter, limit and offset',
      ],
    },
  ],
  ListServiceDescribeDetails: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: ['describe by name and by id; unknown → 400 EndPoint.2003'],
    },
    {
      file: 'test/api/service-permissions.test.ts',
      tests: ['nobody but its own account until the provider adds them; `*` admits everyone'],
    },
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: ['an address of the subnet, the DNS name, the whitelist and the policy document, as published'],
    },
    { file: 'test/api/two-accounts.test.ts', tests: ['provider and consumer, end to end'] },
  ],
  CreateEndpoint: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: [
        'answers 200 `creating` with the whole endpoint object; GET then shows `accepted`',
        'a policy statement comes back as sent, in create, show and list answers as published',
        'refusals: bad VPC, unknown service, foreign or unknown table; nothing is created',
        'a table already used by another endpoint of the same service → 400 EndPoint.2039, nothing created',
      ],
    },
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: ['an address of the subnet, the DNS name, the whitelist and the policy document, as published'],
    },
  ],
  ListQuotaDetails: [
    {
      file: 'test/api/quotas.test.ts',
      tests: [
        '200: both types with the published defaults, used counting the project’s own',
        'type=endpoint and type=endpoint_service: that one only',
        'a type not published → 400 EndPoint.0002',
        'CreateEndpoint past the quota → 400 Endpoint.1018; a deletion frees a slot',
      ],
    },
  ],
  ListEndpoints: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: [
        'default: newest first, total_count',
        'filters: vpc_id, id, endpoint_service_name (substring)',
        'limit and offset page through; total_count counts every match',
        'bad query values → the API codes',
      ],
    },
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: ['an address of the subnet, the DNS name, the whitelist and the policy document, as published'],
    },
  ],
  ListEndpointInfoDetails: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: [
        'answers 200 `creating` with the whole endpoint object; GET then shows `accepted`',
        'delete or show of an unknown endpoint → 404 EndPoint.2006',
      ],
    },
    {
      file: 'test/api/interface-endpoints.test.ts',
      tests: ['an address of the subnet, the DNS name, the whitelist and the policy document, as published'],
    },
  ],
  DeleteEndpoint: [
    {
      file: 'test/api/endpoints.test.ts',
      tests: [
        '204 with an empty body; egw routes leave every bound table; then 404 EndPoint.2006',
        'delete or show of an unknown endpoint → 404 EndPoint.2006',
      ],
    },
  ],
  UpdateEndpointRoutetable: [
    {
      file: 'test/api/routetables.test.ts',
      tests: [
        'no error key when nothing failed',
        'bind_failed EndPoint.2039: the table is bound to another endpoint of the same service',
        'unbind_failed EndPoint.2040: when every bind fails the current tables stay bound',
        'step 8: IDs that are not route tables of the endpoint VPC answer 400 EndPoint.1019 naming them',
      ],
    },
  ],
  BatchAddOrRemoveResourceInstance: [
    {
      file: 'test/api/tags.test.ts',
      tests: [
        ': create adds and overwrites, delete by key and by key+value; 204; the object shows them',
        ": another account's, or none: the same not-found answer",
        'each tag rule broken → its status and code',
        'at most 20 tags per resource, counting those it holds; overwriting one adds none',
        'tags at create obey the same rules, with the same codes',
      ],
    },
  ],
  ListQueryProjectResourceTags: [
    {
      file: 'test/api/tags.test.ts',
      tests: ['the project tags of a kind, by key with their values'],
    },
  ],
  ListResourceInstances: [
    {
      file: 'test/api/tags.test.ts',
      tests: [
        'filter answers id, name and tags; count answers the total',
        'filter: ${name}',
        'each filter rule broken → its status and code',
        'a resource type other than endpoint or endpoint_service: 400 EndPoint.3070',
      ],
    },
  ],
};

/** The 501 test: one test per operation not served, titled from this template. */
const NOT_SERVED = {
  file: 'test/api/not-served.test.ts',
  title: 'is not served: 501 VPCEP.0501 after authentication and path validation',
};

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => {
  const at = path.join(ROOT, file);
  return fs.existsSync(at) ? fs.readFileSync(at, 'utf8') : undefined;
};

/** What is wrong with a coverage table, given which operations answer 501. */
function coverageProblems(table: Coverage, notServed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const published = new Set(VPCEP_OPERATIONS.map((op) => op.operationId));
  for (const operationId of Object.keys(table)) {
    if (!published.has(operationId)) problems.push(`${operationId} is not a published operation`);
  }
  for (const operationId of published) {
    const entries = table[operationId];
    if (notServed.has(operationId)) {
      if (entries) problems.push(`${operationId} answers 501: its entry names tests of nothing`);
      if (!read(NOT_SERVED.file)?.includes(NOT_SERVED.title))
        problems.push(`${NOT_SERVED.file}: no 501 test`);
      continue;
    }
    if (!entries?.length) problems.push(`${operationId} is served, and no test is listed for it`);
    for (const { file, tests } of entries ?? []) {
      const text = read(file);
      if (text === undefined) problems.push(`${operationId}: ${file} does not exist`);
      else if (!text.includes(operationId)) problems.push(`${operationId}: ${file} does not mention it`);
      else if (tests.length === 0) problems.push(`${operationId}: ${file} names no test`);
      for (const title of tests) {
        if (text !== undefined && !text.includes(title))
          problems.push(`${operationId}: ${file} has no test "${title}"`);
      }
    }
  }
  return problems;
}

test('every published operation maps to the tests that exercise it', (t) => {
  const notServed = new Set(notServedRoutes().map((r) => r.operationId));
  assert.deepEqual(coverageProblems(COVERAGE, notServed), []);
  for (const { operationId } of VPCEP_OPERATIONS) {
    const where = notServed.has(operationId)
      ? [`${NOT_SERVED.file}: ${operationId} ${NOT_SERVED.title}`]
      : COVERAGE[operationId]!.flatMap(({ file, tests }) => tests.map((title) => `${file}: ${title}`));
    t.diagnostic(`${operationId} ← ${where.join('; ')}`);
  }
});

test('the check fails an operation without an entry, a missing file, one that does not name it, a missing test', () => {
  const notServed = new Set(notServedRoutes().map((r) => r.operationId));
  const { DeleteEndpoint: _gone, ...withoutDelete } = COVERAGE;
  assert.deepEqual(coverageProblems(withoutDelete, notServed), [
    'DeleteEndpoint is served, and no test is listed for it',
  ]);
  const broken: Coverage = {
    ...COVERAGE,
    ListEndpoints: [{ file: 'test/api/no-such.test.ts', tests: ['x'] }],
    ListVersionDetails: [
      { file: 'test/api/routetables.test.ts', tests: ['no error key when nothing failed'] },
    ],
    UpdateEndpointRoutetable: [{ file: 'test/api/routetables.test.ts', tests: ['a test nobody wrote'] }],
    NoSuchOperation: [],
  };
  assert.deepEqual(coverageProblems(broken, notServed), [
    'NoSuchOperation is not a published operation',
    'ListEndpoints: test/api/no-such.test.ts does not exist',
    'ListVersionDetails: test/api/routetables.test.ts does not mention it',
    'UpdateEndpointRoutetable: test/api/routetables.test.ts has no test "a test nobody wrote"',
  ]);
  // An operation served from now on leaves the 501 test, and needs an entry; one still 501 has none.
  const [unserved] = notServed;
  if (unserved === undefined) return;
  const served = new Set([...notServed].filter((id) => id !== unserved));
  assert.deepEqual(coverageProblems(COVERAGE, served), [
    `${unserved} is served, and no test is listed for it`,
  ]);
  assert.deepEqual(coverageProblems({ ...COVERAGE, [unserved]: COVERAGE.ListEndpoints! }, notServed), [
    `${unserved} answers 501: its entry names tests of nothing`,
  ]);
});
