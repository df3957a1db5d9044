import { Accounts } from '../../src/service/accounts.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { allRoutes } from '../../src/app.ts';
import { randomIds } from '../../src/domain/ids.ts';
import { compileSerializer, compileValidator } from '../../src/http/schema-compilers.ts';
import { Identity } from '../../src/service/identity.ts';
import { makeWorld, type World } from '../helpers/world.ts';

// Routes compile their schemas on first use (http/schema-compilers.ts, for start-up time); this
// compiles every one of them, so a broken schema fails here instead of on a user's first call.

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

test('every route schema compiles: validators for params, query and body, serializers for answers', () => {
  const deps = {
    config: w.config,
    store: w.store,
    clock: w.clock,
    ids: randomIds,
    log: pino({ level: 'silent' }),
  };
  const routes = allRoutes(deps, new Identity(deps), new Accounts(deps), () => false);
  assert.ok(routes.length > 40, `${routes.length} routes`);
  let compiled = 0;
  for (const r of routes) {
    const where = `${r.method} ${r.url}`;
    for (const part of ['params', 'querystring', 'body'] as const) {
      const schema = r.schema[part];
      if (!schema) continue;
      assert.doesNotThrow(() => compileValidator(schema, part), where);
      compiled++;
    }
    for (const [status, schema] of Object.entries(r.schema.response ?? {})) {
      assert.doesNotThrow(() => compileSerializer(schema), `${where} ${status}`);
      compiled++;
    }
  }
  assert.ok(compiled > 60, `${compiled} schemas compiled`);
});
