import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionMatches,
  allows,
  ROLE_TENANT_ADMIN,
  ROLE_TENANT_GUEST,
  ROLE_VPCEP_FULL,
  ROLE_VPCEP_READONLY,
  SYSTEM_ROLES,
} from '../../src/domain/roles.ts';
import { actionOf } from '../../src/http/authorize.ts';
import { appRoutes } from '../helpers/routes.ts';

test('pattern segments: *, literal, prefix*', () => {
  for (const [pattern, action, want] of [
    ['*:*:*', 'vpcep:endpoints:create', true],
    ['vpcep:*:get*', 'vpcep:endpoints:get', true],
    ['vpcep:*:get*', 'vpcep:endpoints:list', false],
    ['vpcep:*:list*', 'vpcep:endpoints:list', true],
    ['vpc:*:*', 'vpcep:endpoints:list', false],
    ['vpcep:endpoints:update', 'vpcep:endpoints:updateRouteTables', false],
    ['vpcep:*:*', 'vpcep:endpoints', false],
  ] as const) {
    assert.equal(actionMatches(pattern, action), want, `${pattern} ~ ${action}`);
  }
});

test('the roles: a deny wins; read-only roles allow reads only', () => {
  const cases: [string[], string, boolean][] = [
    [[ROLE_TENANT_ADMIN], 'vpcep:endpoints:updateRouteTables', true],
    [[ROLE_TENANT_ADMIN], 'identity:users:create', false],
    [[ROLE_TENANT_GUEST], 'vpc:routeTables:list', true],
    [[ROLE_TENANT_GUEST], 'vpc:routeTables:update', false],
    [[ROLE_VPCEP_READONLY], 'vpcep:endpoints:updateRouteTables', false],
    [[ROLE_VPCEP_READONLY], 'vpc:routeTables:get', true],
    [[ROLE_VPCEP_FULL], 'vpcep:endpoints:updateRouteTables', true],
    [[ROLE_VPCEP_FULL], 'vpc:vpcs:create', false],
    [[], 'vpc:vpcs:list', false],
    [['not-a-role'], 'vpc:vpcs:list', false],
  ];
  for (const [roles, action, want] of cases) assert.equal(allows(roles, action), want, `${roles} ${action}`);
  assert.equal(new Set(SYSTEM_ROLES.map((r) => r.id)).size, SYSTEM_ROLES.length, 'role ids are unique');
});

test('every project-scoped route performs one three-part action; known ones as published', () => {
  const actions = new Map<string, string | undefined>();
  for (const r of appRoutes()) {
    const action = actionOf(r);
    actions.set(`${r.method} ${r.url}`, action);
    if (r.url.includes(':project_id') && r.api !== 'iam') {
      assert.match(action ?? '', /^(vpc|vpcep|cts):[A-Za-z]+:[A-Za-z]+$/, `${r.method} ${r.url}`);
    } else {
      assert.equal(action, undefined, `${r.method} ${r.url} decides its own permissions`);
    }
  }
  for (const [route, action] of [
    ['PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/routetables', 'vpcep:endpoints:updateRouteTables'],
    ['GET /v1/:project_id/vpc-endpoints', 'vpcep:endpoints:list'],
    ['GET /v1/:project_id/vpc-endpoints/:vpc_endpoint_id', 'vpcep:endpoints:get'],
    ['DELETE /v1/:project_id/vpcs/:vpc_id/subnets/:subnet_id', 'vpc:subnets:delete'],
    ['POST /v1/:project_id/routetables/:routetable_id/action', 'vpc:routeTables:update'],
    ['GET /v1/:project_id/vpc-endpoint-services/public', 'vpcep:epservices:list'],
    ['GET /v1/:project_id/audit-events', 'cts:traces:list'],
  ]) {
    assert.equal(actions.get(route!), action, route);
  }
});
