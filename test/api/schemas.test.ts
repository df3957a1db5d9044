import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compileSerializer, compileValidator } from '../../src/http/schema-compilers.ts';
import { makeWorld, type World } from '../helpers/world.ts';
import { appRoutes } from '../helpers/routes.ts';

// Routes compile their schemas on first use (http/schema-compilers.ts, for start-up time); this
// compiles every one of them, so a broken schema fails here instead of on a user's first call.

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

test('every route schema compiles: validators for params, query and body, serializers for answers', () => {
  const routes = appRoutes();
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
