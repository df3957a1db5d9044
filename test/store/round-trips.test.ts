import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { namedStatements } from '../../src/store/prepared.ts';
import { sentDuring } from '../helpers/pg-sent.ts';
import { put, scene, type Scene } from '../helpers/rebind.ts';
import { injectSigned } from '../helpers/sign.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * What a rebind sends to PostgreSQL, statement by statement (issue 12: each statement is a round
 * trip, and on PostgreSQL the round trips were most of a rebind's cost). SQLite has no round trips;
 * its pass skips these.
 */

const AK = 'ROUNDTRIPS0000000000';
const SK = 'round-trips-test-secret-key-0000000000x';

let w: World;
let s: Scene;
/** A world with metrics on: its locking reads go through the lock probe. */
let m: World;
let ms: Scene;

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  s = await scene(w);
  m = await makeWorld({ metrics: true });
  ms = await scene(m);
});
after(async () => {
  await w.close();
  await m.close();
});

/** The name of the one prepared statement whose text matches; undefined when none was ever prepared. */
function named(pattern: RegExp, required = true) {
  const names = [...namedStatements].filter(([text]) => pattern.test(text)).map(([, name]) => name);
  assert.equal(names.length, required ? 1 : Math.min(names.length, 1), String(pattern));
  return names[0];
}

/** A rebind of `sc`'s endpoint to `to`, with the world's token or signed with its AK/SK. */
type Rebind = (world: World, sc: Scene, to: string) => Promise<Reply>;
const byToken: Rebind = (world, sc, to) => put(world, sc.ep, { routetables: [to] });
const signed: Rebind = (world, sc, to) =>
  injectSigned(
    world.app,
    {
      ak: AK,
      sk: SK,
      method: 'PUT',
      url: `/v1/${world.projectId}/vpc-endpoints/${sc.ep}/routetables`,
      body: { routetables: [to] },
    },
    world.clock,
  );

/**
 * What one rebind that moves the endpoint of `sc` sends, each round trip named by what it carries.
 * Calls at once first, each on a connection of its own, so that every connection of the pool has
 * prepared the statements (a statement's first run on a connection prepares it there).
 */
async function roundTripsOfRebind(world: World, sc: Scene, rebind: Rebind = byToken): Promise<string[]> {
  for (let round = 0; round < 2; round++) {
    await Promise.all(Array.from({ length: 8 }, (_, i) => rebind(world, sc, i % 2 ? sc.a : sc.b)));
  }
  await rebind(world, sc, sc.a);
  const sent = await sentDuring(async () => {
    const res = await rebind(world, sc, sc.b);
    assert.equal(res.status, 200, res.raw);
  });
  const context = named(/^select "endpoints"\.\*.* for update of "endpoints"$/s);
  const tables = named(/^select "routetables"\.\*.*endpoint_routetables.* for update of "routetables"$/s);
  const occupancy = named(
    /^select "routetable_id", .* from "routes" .*not in \(select routetable_id.*union all/s,
  );
  const writes = named(/^with "unrouted" as/);
  const audit = named(/^insert into "audit_log"/);
  // Prepared once a signed call has been made.
  const keyOwner = named(/^select "access_keys"\."access", "access_keys"\."secret"/, false);
  const project = named(/^select \* from "projects" where "id" = \$1$/, false);
  const keyGrants = named(
    /^select "users"\."password_changed_at".* from "access_keys" inner join "users"/s,
    false,
  );
  const reads = `execute ${context}\\(.*\\);\nexecute ${tables}\\(.*\\);\nexecute ${occupancy}\\(.*\\)`;
  const probed =
    `savepoint vpcep_lock_probe;\nexecute ${context}_nowait\\(.*\\);\nexecute ${tables}_nowait\\(.*\\);\n` +
    `execute ${occupancy}\\(.*\\);\nrelease savepoint vpcep_lock_probe`;
  const signer = `execute ${keyOwner}\\('${AK}'\\);\nexecute ${project}\\(.*\\);\nexecute ${keyGrants}\\('${AK}'\\)`;
  const kinds = sent.map((text) =>
    /^select .* from "users"/s.test(text)
      ? 'grants'
      : new RegExp(`^${signer}$`, 's').test(text)
        ? 'access key, project, grants'
        : new RegExp(`^begin;\n${reads}$`, 's').test(text)
          ? 'begin, endpoint locked, its tables locked, occupancy'
          : new RegExp(`^begin;\n${probed}$`, 's').test(text)
            ? 'begin, savepoint, endpoint and tables locked with NOWAIT, occupancy, release'
            : new RegExp(
                  `^execute ${writes}\\(.*\\);\nexecute ${audit}\\(.*'update-routetables'.*\\);\ncommit$`,
                  's',
                ).test(text)
              ? 'writes, audit record, commit'
              : text,
  );
  const after = await world.api('GET', `/vpc-endpoints/${sc.ep}`);
  assert.deepEqual(after.body.routetables, [sc.b]);
  return kinds;
}

test('a rebind that moves an endpoint takes three round trips', async (t) => {
  if (w.store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  assert.deepEqual(await roundTripsOfRebind(w, s), [
    'grants',
    'begin, endpoint locked, its tables locked, occupancy',
    'writes, audit record, commit',
  ]);
});

test('with metrics on, the lock probe rides in the same three round trips', async (t) => {
  if (m.store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  assert.deepEqual(await roundTripsOfRebind(m, ms), [
    'grants',
    'begin, savepoint, endpoint and tables locked with NOWAIT, occupancy, release',
    'writes, audit record, commit',
  ]);
});

test('a signed rebind takes three round trips: its key, project and grants are read in one', async (t) => {
  if (w.store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  assert.deepEqual(await roundTripsOfRebind(w, s, signed), [
    'access key, project, grants',
    'begin, endpoint locked, its tables locked, occupancy',
    'writes, audit record, commit',
  ]);
});
