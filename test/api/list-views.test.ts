import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ok } from '../helpers/expect.ts';
import {
  createPort,
  createService,
  createSubnet,
  createTable,
  createVpc,
  gatewayService,
  rebind,
} from '../helpers/fixtures.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * ListEndpoints builds again only the views of endpoints whose version changed (issue 12,
 * service/endpoint-views.ts): every kind of change must still show in the next list. Each test
 * lists first, so the views are kept, then changes one thing, then lists again, and every listed
 * endpoint must answer in the list exactly what showing it alone answers (the show builds its view
 * afresh from the store, every time).
 */

const PROVISIONING = 60_000;
let w: World;
before(async () => {
  w = await makeWorld({ provisioningDelayMs: PROVISIONING });
});
after(() => w.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = Record<string, any>;

/** The listed endpoints, each checked against its show; by id. */
async function listed(): Promise<Map<string, View>> {
  const list = ok(await w.api('GET', '/vpc-endpoints?limit=1000')).body;
  assert.equal(list.endpoints.length, list.total_count);
  const out = new Map<string, View>();
  for (const item of list.endpoints as View[]) {
    const shown = ok(await w.api('GET', `/vpc-endpoints/${item.id}`)).body;
    assert.deepEqual(item, shown, `the list's ${item.id} is what its show answers`);
    out.set(item.id, item);
  }
  return out;
}

/** The endpoint as listed, after `change`, with the list read (and its views kept) before it. */
async function afterChange(id: string, change: () => Promise<unknown>): Promise<View> {
  assert.ok((await listed()).has(id));
  await change();
  const view = (await listed()).get(id);
  assert.ok(view, `${id} is still listed`);
  return view;
}

/** An interface service of the world's own (approval as given), past its provisioning, and a VPC and subnet for endpoints of it. */
async function ownService(approval: boolean) {
  const vpc = (await createVpc(w)).id;
  const subnet = await createSubnet(w, vpc);
  const service = await createService(w, vpc, (await createPort(w, subnet)).id, {
    approval_enabled: approval,
  });
  w.clock.advance(PROVISIONING);
  const endpoint = async () =>
    ok(
      await w.api('POST', '/vpc-endpoints', {
        endpoint_service_id: service.id,
        vpc_id: vpc,
        subnet_id: subnet,
      }),
    ).body.id as string;
  return { service, endpoint };
}

/** A gateway endpoint bound to table a of its VPC, past its provisioning, and another table b. */
async function gatewayEndpoint() {
  const gateway = await gatewayService(w);
  const vpc = (await createVpc(w)).id;
  const [a, b] = [await createTable(w, vpc), await createTable(w, vpc, [], 'rt2')];
  const ep = ok(
    await w.api('POST', '/vpc-endpoints', { endpoint_service_id: gateway, vpc_id: vpc, routetables: [a] }),
  ).body.id as string;
  w.clock.advance(PROVISIONING);
  return { ep, a, b };
}

describe('ListEndpoints shows every change after a list has kept the views', () => {
  test('a rebind: the tables listed are the new ones', async () => {
    const { ep, a, b } = await gatewayEndpoint();
    const view = await afterChange(ep, async () => ok(await rebind(w, ep, [b])));
    assert.deepEqual(view.routetables, [b]);
    // Back, and to both: each a new version.
    assert.deepEqual((await afterChange(ep, async () => ok(await rebind(w, ep, [a])))).routetables, [a]);
    const both = await afterChange(ep, async () => ok(await rebind(w, ep, [a, b])));
    assert.deepEqual(both.routetables, [a, b].sort());
  });

  test('time alone: creating, then accepted once the provisioning delay has passed', async () => {
    const { endpoint } = await ownService(false);
    const ep = await endpoint();
    assert.equal((await listed()).get(ep)!.status, 'creating');
    const view = await afterChange(ep, async () => w.clock.advance(PROVISIONING));
    assert.equal(view.status, 'accepted');
    assert.ok(view.ip, 'an accepted interface endpoint shows its address');
  });

  test('the whitelist, the policy, the tags and the deletion of an endpoint', async () => {
    const { endpoint } = await ownService(false);
    const ep = await endpoint();
    w.clock.advance(PROVISIONING);
    const white = await afterChange(ep, async () =>
      ok(await w.api('PUT', `/vpc-endpoints/${ep}`, { whitelist: ['10.1.0.0/16'], enable_whitelist: true })),
    );
    assert.deepEqual([white.whitelist, white.enable_whitelist], [['10.1.0.0/16'], true]);
    const policy = { Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['obs:*'], Resource: ['*'] }] };
    const withPolicy = await afterChange(ep, async () =>
      ok(await w.api('PUT', `/vpc-endpoints/${ep}/policy`, { policy_document: policy })),
    );
    assert.deepEqual(withPolicy.policy_document, policy);
    const tagged = await afterChange(ep, async () =>
      ok(
        await w.api('POST', `/endpoint/${ep}/tags/action`, {
          action: 'create',
          tags: [{ key: 'k', value: 'v' }],
        }),
        204,
      ),
    );
    assert.deepEqual(tagged.tags, [{ key: 'k', value: 'v' }]);
    assert.ok((await listed()).has(ep));
    assert.equal((await w.api('DELETE', `/vpc-endpoints/${ep}`)).status, 204);
    assert.equal((await listed()).has(ep), false);
  });

  test("the provider's decisions and description, and its service's approval", async () => {
    const { service, endpoint } = await ownService(true);
    const [first, second] = [await endpoint(), await endpoint()];
    w.clock.advance(PROVISIONING);
    assert.equal((await listed()).get(first)!.status, 'pendingAcceptance');
    const decide = (action: string, id: string) =>
      w.api('POST', `/vpc-endpoint-services/${service.id}/connections/action`, { action, endpoints: [id] });
    assert.equal(
      (await afterChange(first, async () => ok(await decide('receive', first)))).status,
      'accepted',
    );
    assert.equal(
      (await afterChange(first, async () => ok(await decide('reject', first)))).status,
      'rejected',
    );
    // No approval any more: the endpoint still waiting is settled as it stood (pendingAcceptance).
    const settled = await afterChange(second, async () =>
      ok(await w.api('PUT', `/vpc-endpoint-services/${service.id}`, { approval_enabled: false })),
    );
    assert.equal(settled.status, 'pendingAcceptance');
  });

  test("its service's new name, though the endpoint's row is not written", async () => {
    const { service, endpoint } = await ownService(false);
    const ep = await endpoint();
    w.clock.advance(PROVISIONING);
    const renamed = await afterChange(ep, async () =>
      ok(
        await w.api('PUT', `/vpc-endpoint-services/${service.id}/name`, {
          endpoint_service_name: 'renamed_1',
        }),
      ),
    );
    assert.match(renamed.endpoint_service_name, /\.renamed_1\./);
    assert.notEqual(renamed.endpoint_service_name, service.service_name);
  });

  test('a write to the row straight in the store, which raises no version itself: the trigger does', async () => {
    const gateway = await gatewayService(w);
    const vpc = (await createVpc(w)).id;
    const ep = ok(await w.api('POST', '/vpc-endpoints', { endpoint_service_id: gateway, vpc_id: vpc })).body
      .id as string;
    const view = await afterChange(ep, () =>
      sql`update endpoints set description = ${'written by hand'} where id = ${ep}`.execute(
        w.store.engine.db,
      ),
    );
    assert.equal(view.description, 'written by hand');
    // Even one that sets the version back.
    const back = await afterChange(ep, () =>
      sql`update endpoints set description = ${'again'}, version = 0 where id = ${ep}`.execute(
        w.store.engine.db,
      ),
    );
    assert.equal(back.description, 'again');
  });
});

describe('the version the store keeps (migration 009)', () => {
  const versionOf = async (id: string) =>
    Number(
      (
        await sql<{ version: number }>`select version from endpoints where id = ${id}`.execute(
          w.store.engine.db,
        )
      ).rows[0]!.version,
    );

  test('rises at every change of the row or its bindings, and never goes back', async () => {
    const { ep, b } = await gatewayEndpoint();
    const seen = [await versionOf(ep)];
    ok(await rebind(w, ep, [b]));
    seen.push(await versionOf(ep));
    // Nothing to change: nothing written.
    ok(await rebind(w, ep, [b]));
    assert.equal(await versionOf(ep), seen.at(-1));
    await sql`update endpoints set version = 0 where id = ${ep}`.execute(w.store.engine.db);
    seen.push(await versionOf(ep));
    await sql`update endpoints set description = 'x' where id = ${ep}`.execute(w.store.engine.db);
    seen.push(await versionOf(ep));
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]! > seen[i - 1]!, `versions ${seen.join(' → ')} rise`);
  });
});
