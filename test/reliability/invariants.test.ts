import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { endpointTime } from '../../src/domain/ids.ts';
import { checkInvariants, checkReadPath, type ReadPath, type StoreReader } from '../helpers/invariants.ts';
import type { Tx } from '../../src/store/store.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';
import { expectError, sorted } from '../helpers/expect.ts';
import { gatewayServiceIds, TWO_GATEWAY_SERVICES } from '../helpers/fixtures.ts';

/**
 * Random sequences of commands over real HTTP (inject) against the real store. After every step:
 * no 5xx, the binding invariants hold in the store, the read path agrees with the store, and the
 * store agrees with a model that predicts every outcome (up to which injected fault fires).
 */

const SERVICES = TWO_GATEWAY_SERVICES;
/** User-route destinations: the first three collide with the services' CIDRs. */
const DESTINATIONS = ['100.125.0.0/16', '100.126.0.0/16', '100.127.0.0/24', '172.31.1.0/24', '172.31.2.0/24'];
const BOGUS_TABLE = '0badc0de-0000-4000-8000-000000000000';
const BOGUS_ENDPOINT = '0badc0de-ffff-4000-8000-000000000000';
const SEED = 20261127;
// VPCEP_PROPERTY_RUNS: fewer or more runs, e.g. while hunting a bug (the coverage check needs the full 200).
const NUM_RUNS = Number(process.env.VPCEP_PROPERTY_RUNS ?? 200);

/** A route-table ID: mostly a live table of the endpoint's VPC, sometimes any table of the run
 * (deleted ones, the other VPC's), an unknown ID, or one too long. */
type Pick = { kind: 'own'; i: number } | { kind: 'any'; i: number } | { kind: 'bogus' } | { kind: 'long' };
type Step =
  | { t: 'createTable'; vpc: number; routes: string[] }
  | { t: 'createEndpoint'; vpc: number; svc: number; tables: Pick[] | null }
  | { t: 'rebind'; ep: number; picks: Pick[] }
  | { t: 'addRoute'; table: number; dest: string }
  | { t: 'delRoute'; table: number; dest: string }
  | { t: 'delTable'; table: number }
  | { t: 'delEndpoint'; ep: number }
  | { t: 'fault'; op: 'bind' | 'unbind'; table: number | '*' };

const ownPick = fc.nat(30).map((i): Pick => ({ kind: 'own', i }));
const anyPick = fc.nat(30).map((i): Pick => ({ kind: 'any', i }));
const pickArb: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 30, arbitrary: ownPick },
  { weight: 2, arbitrary: anyPick },
  { weight: 1, arbitrary: fc.constant<Pick>({ kind: 'bogus' }) },
  { weight: 1, arbitrary: fc.constant<Pick>({ kind: 'long' }) },
);
const tablePick: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 30, arbitrary: ownPick },
  { weight: 2, arbitrary: anyPick },
  { weight: 1, arbitrary: fc.constant<Pick>({ kind: 'bogus' }) },
);
const dest = fc.constantFrom(...DESTINATIONS);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('createTable' as const),
      vpc: fc.nat(1),
      routes: fc.oneof(fc.constant<string[]>([]), fc.uniqueArray(dest, { minLength: 1, maxLength: 3 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('createEndpoint' as const),
      vpc: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
      svc: fc.nat(1),
      tables: fc.option(fc.array(tablePick, { minLength: 1, maxLength: 3 }), { freq: 3 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('rebind' as const),
      ep: fc.nat(10),
      picks: fc.oneof(
        { weight: 12, arbitrary: fc.array(pickArb, { minLength: 1, maxLength: 5 }) },
        { weight: 1, arbitrary: fc.constant<Pick[]>([]) },
        { weight: 1, arbitrary: fc.array(pickArb, { minLength: 9, maxLength: 12 }) },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('addRoute' as const), table: fc.nat(30), dest }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delRoute' as const), table: fc.nat(30), dest }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delTable' as const), table: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delEndpoint' as const), ep: fc.nat(10) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('fault' as const),
      op: fc.constantFrom('bind' as const, 'unbind' as const),
      table: fc.oneof(fc.nat(30), fc.constant('*' as const)),
    }),
  },
);

interface TableM {
  id: string;
  vpc: number;
  isDefault: boolean;
  user: Set<string>;
  deleted: boolean;
}
interface EndpointM {
  id: string;
  vpc: number;
  svc: number;
  tables: string[];
  deleted: boolean;
  updatedAt: string;
}
interface FaultM {
  id: string;
  operation: string;
  routetable_id: string;
  remaining: number | null;
}
interface Run {
  vpcs: string[];
  tables: TableM[];
  eps: EndpointM[];
  faults: FaultM[];
}

let w: World;
let serviceIds: string[];
const stats = { runs: 0, steps: 0, outcomes: new Map<string, number>() };

const dedupe = (xs: string[]) => [...new Set(xs)];
const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

const liveTables = (run: Run) => run.tables.filter((t) => !t.deleted);
const liveEps = (run: Run) => run.eps.filter((e) => !e.deleted);
const tableById = (run: Run, id: string) => run.tables.find((t) => t.id === id);

function resolve(run: Run, p: Pick, vpc: number): string {
  if (p.kind === 'bogus') return BOGUS_TABLE;
  if (p.kind === 'long') return 'x'.repeat(65);
  const own = liveTables(run).filter((t) => t.vpc === vpc);
  const from = p.kind === 'own' && own.length > 0 ? own : run.tables;
  return from[p.i % from.length]!.id;
}

/** A table for the route-table steps: mostly a live one, sometimes any (deleted ones too). */
function chooseTable(run: Run, n: number): TableM {
  const live = liveTables(run);
  const from = n < 27 && live.length > 0 ? live : run.tables;
  return from[n % from.length]!;
}

/** An endpoint: ten times in eleven a live one (when there is one), else any, deleted ones too. */
function chooseEndpoint(run: Run, n: number): EndpointM | undefined {
  const live = liveEps(run);
  const from = n < 10 && live.length > 0 ? live : run.eps;
  return from.length > 0 ? from[n % from.length] : undefined;
}

/** The endpoint of the same service already bound to a table, per the model. */
const holder = (run: Run, tableId: string, svc: number, except?: string) =>
  liveEps(run).find((e) => e.id !== except && e.svc === svc && e.tables.includes(tableId));
const clashes = (run: Run, tableId: string, svc: number) =>
  SERVICES[svc]!.cidrs.some((c) => tableById(run, tableId)!.user.has(c));
const faultable = (run: Run, op: string, tableId: string) =>
  run.faults.some(
    (f) =>
      f.operation === op &&
      (f.routetable_id === '*' || f.routetable_id === tableId) &&
      (f.remaining === null || f.remaining > 0),
  );

async function listFaults(): Promise<FaultM[]> {
  const res = await w.call('GET', `/vpcep/v1/${w.projectId}/faults`);
  assert.equal(res.status, 200, res.raw);
  return res.body.faults;
}
const faultBudget = (fs: FaultM[]) => fs.reduce((n, f) => n + (f.remaining ?? 1_000_000), 0);

async function createVpc(run: Run, name: string) {
  const res = await w.api('POST', '/vpcs', { vpc: { name, cidr: '10.0.0.0/16' } });
  assert.equal(res.status, 200, res.raw);
  const id = res.body.vpc.id as string;
  const tables = await w.api('GET', `/routetables?vpc_id=${id}`);
  assert.equal(tables.status, 200, tables.raw);
  const def = tables.body.routetables.find((t: { default: boolean }) => t.default);
  run.vpcs.push(id);
  run.tables.push({ id: def.id, vpc: run.vpcs.length - 1, isDefault: true, user: new Set(), deleted: false });
}

// ---------------------------------------------------------------------------------------------------
// Steps: each performs one call and checks its answer against the model, then updates the model.

async function createTable(run: Run, s: Extract<Step, { t: 'createTable' }>) {
  const res = await w.api('POST', '/routetables', {
    routetable: {
      vpc_id: run.vpcs[s.vpc],
      name: 'rt',
      routes: s.routes.map((destination) => ({ type: 'peering', destination, nexthop: 'pcx-1' })),
    },
  });
  assert.equal(res.status, 200, res.raw);
  const routes = res.body.routetable.routes as { type: string; destination: string }[];
  assert.deepEqual(
    sorted(routes.filter((r) => r.type === 'peering').map((r) => r.destination)),
    sorted(s.routes),
  );
  run.tables.push({
    id: res.body.routetable.id,
    vpc: s.vpc,
    isDefault: false,
    user: new Set(s.routes),
    deleted: false,
  });
  return 'ok';
}

async function createEndpoint(run: Run, s: Extract<Step, { t: 'createEndpoint' }>) {
  const raw = s.tables?.map((p) => resolve(run, p, s.vpc));
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: serviceIds[s.svc],
    vpc_id: run.vpcs[s.vpc],
    ...(raw ? { routetables: raw } : {}),
  });
  const what = `create endpoint svc${s.svc} vpc${s.vpc} ${JSON.stringify(raw ?? 'default')}`;
  const desired = raw ? dedupe(raw) : [liveTables(run).find((t) => t.isDefault && t.vpc === s.vpc)!.id];
  const invalid = desired.filter((id) => {
    const t = tableById(run, id);
    return !t || t.deleted || t.vpc !== s.vpc;
  });
  if (invalid.length > 0) {
    expectError(res, 400, 'EndPoint.1019', undefined, what);
    for (const id of invalid) assert.ok(res.body.error.message.includes(id), `${what}: ${res.raw}`);
    return 'invalid';
  }
  // The call fails with the code of the first table that fails; an injected fault may fire first.
  let firstDet: string | undefined;
  let mayFault = false;
  for (const id of desired) {
    firstDet = holder(run, id, s.svc)
      ? 'EndPoint.2039'
      : clashes(run, id, s.svc)
        ? 'EndPoint.4028'
        : undefined;
    if (firstDet) break;
    if (faultable(run, 'bind', id)) mayFault = true;
  }
  // A fault that fires is used up, even though the failed call changes nothing else (faults.ts:
  // `times` counts firings); at most one per table.
  const faultsAfter = await listFaults();
  const used = faultBudget(run.faults) - faultBudget(faultsAfter);
  run.faults = faultsAfter;
  assert.ok(used >= 0 && used <= desired.length, `${what}: ${used} faults used`);
  if (firstDet) {
    expectError(res, 400, mayFault ? [firstDet, 'EndPoint.4028'] : firstDet, undefined, what);
    if (res.body.error.code !== firstDet) assert.ok(used >= 1, `${what}: a fault fired but was not used up`);
    return `refused ${res.body.error.code}`;
  }
  if (mayFault && res.status !== 200) {
    expectError(res, 400, 'EndPoint.4028', undefined, what);
    assert.ok(used >= 1, `${what}: a fault fired but was not used up`);
    return 'fault';
  }
  assert.equal(used, 0, `${what}: faults used by a call that bound every table`);
  assert.equal(res.status, 200, `${what}: ${res.raw}`);
  assert.equal(res.body.status, 'creating', res.raw);
  assert.deepEqual(sorted(res.body.routetables), sorted(desired), `${what}: ${res.raw}`);
  run.eps.push({
    id: res.body.id,
    vpc: s.vpc,
    svc: s.svc,
    tables: sorted(desired),
    deleted: false,
    updatedAt: res.body.updated_at,
  });
  return 'ok';
}

async function rebind(run: Run, s: Extract<Step, { t: 'rebind' }>) {
  const ep = chooseEndpoint(run, s.ep);
  const raw = s.picks.map((p) => resolve(run, p, ep?.vpc ?? 0));
  const res = await w.api('PUT', `/vpc-endpoints/${ep?.id ?? BOGUS_ENDPOINT}/routetables`, {
    routetables: raw,
  });
  const what = `rebind ${ep?.id ?? 'bogus'} to ${JSON.stringify(raw.map((id) => id.slice(0, 8)))}`;
  if (raw.length === 0 || raw.length > 10 || raw.some((id) => id.length > 64)) {
    expectError(res, 400, 'EndPoint.0002', undefined, what);
    return 'invalid body';
  }
  if (!ep || ep.deleted) {
    expectError(res, 404, 'EndPoint.2006', undefined, what);
    return 'no endpoint';
  }
  const desired = dedupe(raw);
  const invalid = desired.filter((id) => {
    const t = tableById(run, id);
    return !t || t.deleted || t.vpc !== ep.vpc;
  });
  if (invalid.length > 0) {
    expectError(res, 400, 'EndPoint.1019', undefined, what);
    for (const id of invalid) assert.ok(res.body.error.message.includes(id), `${what}: ${res.raw}`);
    return 'invalid ids';
  }
  assert.equal(res.status, 200, `${what}: ${res.raw}`);

  const final = res.body.routetables as string[];
  assert.equal(new Set(final).size, final.length, `${what}: duplicates in ${res.raw}`);
  const finalSet = new Set(final);
  const current = new Set(ep.tables);
  const desiredSet = new Set(desired);
  let bindFailed: { id: string; error_message: string }[] = [];
  let unbindFailed: { id: string; error_message: string }[] = [];
  if ('error' in res.body) {
    assert.ok(Array.isArray(res.body.error) && res.body.error.length === 1, `${what}: ${res.raw}`);
    assert.deepEqual(Object.keys(res.body.error[0]).sort(), ['bind_failed', 'unbind_failed'], res.raw);
    bindFailed = res.body.error[0].bind_failed;
    unbindFailed = res.body.error[0].unbind_failed;
    assert.ok(bindFailed.length + unbindFailed.length > 0, `${what}: empty error lists: ${res.raw}`);
  }
  const bf = new Map(bindFailed.map((f) => [f.id, f.error_message]));
  const uf = new Map(unbindFailed.map((f) => [f.id, f.error_message]));
  assert.equal(bf.size, bindFailed.length, `${what}: a table twice in bind_failed: ${res.raw}`);
  assert.equal(uf.size, unbindFailed.length, `${what}: a table twice in unbind_failed: ${res.raw}`);
  for (const f of [...bindFailed, ...unbindFailed]) {
    assert.ok(f.error_message.length <= 1024 && /^[A-Za-z]+\.\d{4}: /.test(f.error_message), res.raw);
  }
  for (const id of final) assert.ok(current.has(id) || desiredSet.has(id), `${what}: ${id} bound unasked`);
  for (const id of bf.keys()) {
    assert.ok(desiredSet.has(id) && !current.has(id), `${what}: ${id} in bind_failed: ${res.raw}`);
  }
  for (const id of uf.keys()) {
    assert.ok(current.has(id) && !desiredSet.has(id), `${what}: ${id} in unbind_failed: ${res.raw}`);
  }

  let backend = 0; // failures the route backend (an injected fault) caused
  for (const id of desired) {
    const msg = bf.get(id);
    if (current.has(id)) {
      assert.ok(finalSet.has(id), `${what}: kept table ${id} was dropped: ${res.raw}`);
      continue;
    }
    const other = holder(run, id, ep.svc, ep.id);
    if (other) {
      assert.ok(msg?.startsWith('EndPoint.2039: '), `${what}: ${id} is ${other.id}'s: ${res.raw}`);
      assert.ok(!finalSet.has(id), res.raw);
    } else if (clashes(run, id, ep.svc)) {
      assert.ok(msg?.startsWith('EndPoint.4028: '), `${what}: ${id} has a clashing user route: ${res.raw}`);
      assert.ok(!finalSet.has(id), res.raw);
    } else if (faultable(run, 'bind', id) && msg !== undefined) {
      assert.ok(msg.startsWith('EndPoint.4028: '), `${what}: ${id}: ${res.raw}`);
      assert.ok(!finalSet.has(id), res.raw);
      backend++;
    } else {
      assert.equal(msg, undefined, `${what}: ${id} should have bound: ${res.raw}`);
      assert.ok(finalSet.has(id), `${what}: ${id} should have bound: ${res.raw}`);
    }
  }
  const toUnbind = [...current].filter((id) => !desiredSet.has(id));
  let kept2040 = 0;
  for (const id of toUnbind) {
    const msg = uf.get(id);
    if (!finalSet.has(id)) {
      assert.equal(msg, undefined, `${what}: ${id} was unbound yet reported: ${res.raw}`);
    } else if (msg?.startsWith('EndPoint.4029: ')) {
      assert.ok(faultable(run, 'unbind', id), `${what}: ${id} refused without a fault: ${res.raw}`);
      backend++;
    } else {
      assert.ok(msg?.startsWith('EndPoint.2040: '), `${what}: ${id} stayed bound silently: ${res.raw}`);
      kept2040++;
    }
  }
  // EndPoint.2040 exactly when the call would otherwise leave the endpoint with no table.
  const survivors = final.length - kept2040;
  if (kept2040 > 0) {
    assert.equal(survivors, 0, `${what}: 2040 although tables remain: ${res.raw}`);
    assert.equal(kept2040, toUnbind.length, `${what}: 2040 for only some tables: ${res.raw}`);
  }
  assert.ok(final.length > 0, `${what}: no table left: ${res.raw}`);

  const faultsAfter = await listFaults();
  assert.equal(
    faultBudget(run.faults) - faultBudget(faultsAfter),
    backend,
    `${what}: ${backend} backend failures but faults used ${faultBudget(run.faults) - faultBudget(faultsAfter)}`,
  );
  run.faults = faultsAfter;

  const changed = final.length !== current.size || final.some((id) => !current.has(id));
  const shown = await w.api('GET', `/vpc-endpoints/${ep.id}`);
  assert.equal(shown.status, 200, shown.raw);
  assert.deepEqual(sorted(shown.body.routetables), sorted(final), `${what}: GET differs from the answer`);
  assert.equal(
    shown.body.updated_at,
    changed ? endpointTime(w.clock.now()) : ep.updatedAt,
    `${what}: updated_at (changed: ${changed})`,
  );
  ep.updatedAt = shown.body.updated_at;
  ep.tables = sorted(final);
  if (bf.size + uf.size > 0) {
    const codes = new Set([...bf.values(), ...uf.values()].map((m) => m.slice(0, m.indexOf(':'))));
    return `partial ${[...codes].sort().join(' ')}`;
  }
  return changed ? 'ok' : 'no-op';
}

async function addRoute(run: Run, s: Extract<Step, { t: 'addRoute' }>) {
  const t = chooseTable(run, s.table);
  const res = await w.api('PUT', `/routetables/${t.id}`, {
    routetable: { routes: { add: [{ type: 'peering', destination: s.dest, nexthop: 'pcx-2' }] } },
  });
  const what = `add route ${s.dest} to ${t.id}`;
  if (t.deleted) return (expectError(res, 404, 'VPC.2808', undefined, what), 'gone');
  if (t.user.has(s.dest)) return (expectError(res, 400, 'VPC.2809', undefined, what), 'exists');
  const egwOwner = liveEps(run).find(
    (e) => e.tables.includes(t.id) && SERVICES[e.svc]!.cidrs.includes(s.dest),
  );
  if (egwOwner) {
    expectError(res, 400, ['VPC.2801', 'VPC.2809'], undefined, what);
    assert.ok(res.body.error.message.includes(s.dest), `${what}: the message names the route: ${res.raw}`);
    return 'egw';
  }
  assert.equal(res.status, 200, `${what}: ${res.raw}`);
  t.user.add(s.dest);
  return 'ok';
}

async function delRoute(run: Run, s: Extract<Step, { t: 'delRoute' }>) {
  const t = chooseTable(run, s.table);
  const res = await w.api('PUT', `/routetables/${t.id}`, {
    routetable: { routes: { del: [{ destination: s.dest }] } },
  });
  const what = `delete route ${s.dest} from ${t.id}`;
  if (t.deleted) return (expectError(res, 404, 'VPC.2808', undefined, what), 'gone');
  if (!t.user.has(s.dest)) {
    expectError(res, 400, 'VPC.2801', undefined, what);
    const egw = liveEps(run).some((e) => e.tables.includes(t.id) && SERVICES[e.svc]!.cidrs.includes(s.dest));
    return egw ? 'egw' : 'missing';
  }
  assert.equal(res.status, 200, `${what}: ${res.raw}`);
  t.user.delete(s.dest);
  return 'ok';
}

async function delTable(run: Run, s: Extract<Step, { t: 'delTable' }>) {
  const t = chooseTable(run, s.table);
  const res = await w.api('DELETE', `/routetables/${t.id}`);
  const what = `delete table ${t.id}`;
  if (t.deleted) return (expectError(res, 404, 'VPC.2808', undefined, what), 'gone');
  if (t.isDefault) return (expectError(res, 400, 'VPC.2802', undefined, what), 'default');
  const bound = liveEps(run).filter((e) => e.tables.includes(t.id));
  if (bound.length > 0) {
    expectError(res, 400, 'VPC.2802', undefined, what);
    for (const e of bound)
      assert.ok(res.body.error.message.includes(e.id), `${what}: names ${e.id}: ${res.raw}`);
    return 'bound';
  }
  assert.equal(res.status, 204, `${what}: ${res.raw}`);
  t.deleted = true;
  return 'ok';
}

async function delEndpoint(run: Run, s: Extract<Step, { t: 'delEndpoint' }>) {
  const ep = chooseEndpoint(run, s.ep);
  const res = await w.api('DELETE', `/vpc-endpoints/${ep?.id ?? BOGUS_ENDPOINT}`);
  if (!ep || ep.deleted)
    return (expectError(res, 404, 'EndPoint.2006', undefined, 'delete endpoint'), 'gone');
  assert.equal(res.status, 204, res.raw);
  const shown = await w.api('GET', `/vpc-endpoints/${ep.id}`);
  expectError(shown, 404, 'EndPoint.2006', undefined, 'GET a deleted endpoint');
  ep.deleted = true;
  return 'ok';
}

async function fault(run: Run, s: Extract<Step, { t: 'fault' }>) {
  const routetable_id = s.table === '*' ? '*' : chooseTable(run, s.table).id;
  const res = await w.call('POST', `/vpcep/v1/${w.projectId}/faults`, {
    fault: { operation: s.op, routetable_id, times: 1 },
  });
  assert.equal(res.status, 201, res.raw);
  return s.table === '*' ? 'wildcard' : 'table';
}

async function perform(run: Run, s: Step): Promise<string> {
  switch (s.t) {
    case 'createTable':
      return createTable(run, s);
    case 'createEndpoint':
      return createEndpoint(run, s);
    case 'rebind':
      return rebind(run, s);
    case 'addRoute':
      return addRoute(run, s);
    case 'delRoute':
      return delRoute(run, s);
    case 'delTable':
      return delTable(run, s);
    case 'delEndpoint':
      return delEndpoint(run, s);
    case 'fault':
      return fault(run, s);
  }
}

/** After every step: the invariants, the read path, and the model all agree with the store. */
async function verify(run: Run, s: Step) {
  const shownTables = new Map<string, Reply>();
  const read: ReadPath = {
    endpoint: (id) => w.api('GET', `/vpc-endpoints/${id}`),
    list: () => w.api('GET', '/vpc-endpoints?limit=1000'),
    routetable: async (id) => {
      const res = await w.api('GET', `/routetables/${id}`);
      shownTables.set(id, res);
      return res;
    },
  };
  const snap = await checkReadPath(w.store, read, { vpcIds: run.vpcs });
  const model = new Map(liveEps(run).map((e) => [e.id, e.tables]));
  assert.deepEqual(new Map([...snap.bindings].sort()), new Map([...model].sort()), 'store bindings ≠ model');
  assert.deepEqual(sorted(snap.tables), sorted(liveTables(run).map((t) => t.id)), 'store tables ≠ model');
  for (const t of liveTables(run)) {
    const routes = shownTables.get(t.id)!.body.routetable.routes as { type: string; destination: string }[];
    assert.deepEqual(
      sorted(routes.filter((r) => r.type === 'peering').map((r) => r.destination)),
      sorted(t.user),
      `user routes of ${t.id} ≠ model`,
    );
  }
  const perTable = new Map<string, number>();
  for (const tables of snap.bindings.values()) for (const id of tables) count(perTable, id);
  if ([...perTable.values()].some((n) => n > 1)) count(stats.outcomes, 'state:table shared by two services');
  const faults = await listFaults();
  if (s.t !== 'fault') assert.deepEqual(faults, run.faults, 'faults changed unexpectedly');
  if (s.t === 'fault') assert.equal(faults.length, run.faults.length + 1, 'the fault was not recorded');
  run.faults = faults;
}

/** A store whose reads run inside an open transaction, to check uncommitted states. */
function txStore(r: Tx): StoreReader {
  return { dialect: w.store.dialect, read: (fn) => fn(r) };
}

async function resetFaults() {
  for (const f of await listFaults()) {
    const res = await w.call('DELETE', `/vpcep/v1/${w.projectId}/faults/${f.id}`);
    assert.equal(res.status, 204, res.raw);
  }
}

/** Best effort: keeps the shared store small for the next runs. */
async function cleanup(run: Run) {
  await resetFaults();
  for (const e of liveEps(run)) await w.api('DELETE', `/vpc-endpoints/${e.id}`);
  for (const t of liveTables(run).filter((x) => !x.isDefault)) await w.api('DELETE', `/routetables/${t.id}`);
  for (const v of run.vpcs) await w.api('DELETE', `/vpcs/${v}`);
}

before(async () => {
  w = await makeWorld({ gatewayServices: SERVICES });
  serviceIds = await gatewayServiceIds(
    w,
    SERVICES.map((g) => g.name),
    w.config.region,
  );
});
after(() => w?.close());

test('random command sequences keep the binding invariants and match the model', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), async (steps) => {
      stats.runs++;
      await resetFaults();
      const run: Run = { vpcs: [], tables: [], eps: [], faults: [] };
      await createVpc(run, 'a');
      await createVpc(run, 'b');
      await createTable(run, { t: 'createTable', vpc: 0, routes: [] });
      await createEndpoint(run, { t: 'createEndpoint', vpc: 0, svc: 0, tables: null });
      assert.equal(run.eps.length, 1);
      await verify(run, { t: 'createTable', vpc: 0, routes: [] });
      for (const s of steps) {
        w.clock.advance(1000);
        const outcome = await perform(run, s);
        stats.steps++;
        count(stats.outcomes, `${s.t}:${outcome}`);
        await verify(run, s);
      }
      await cleanup(run);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
  // What the runs covered, so a generator change that stops reaching a case shows up here.
  const seen = (k: string) =>
    [...stats.outcomes].filter(([key]) => key === k || (key.startsWith('rebind:partial') && key.includes(k)))
      .length;
  t.diagnostic(`runs ${stats.runs}, steps ${stats.steps}`);
  t.diagnostic(`outcomes ${JSON.stringify(Object.fromEntries([...stats.outcomes].sort()))}`);
  for (const k of [
    'rebind:ok',
    'rebind:no-op',
    'EndPoint.2039',
    'EndPoint.2040',
    'EndPoint.4028',
    'EndPoint.4029',
    'state:table shared by two services',
    'rebind:invalid ids',
    'rebind:invalid body',
    'createEndpoint:ok',
    'createEndpoint:refused EndPoint.2039',
    'createEndpoint:refused EndPoint.4028',
    'addRoute:egw',
    'delRoute:egw',
    'delTable:bound',
    'delTable:ok',
    'delEndpoint:ok',
  ]) {
    if (NUM_RUNS >= 200) assert.ok(seen(k) > 0, `no run reached ${k}`);
  }
});

test('the checker notices a store that breaks an invariant', async () => {
  const run: Run = { vpcs: [], tables: [], eps: [], faults: [] };
  await createVpc(run, 'c');
  await createVpc(run, 'd');
  await createTable(run, { t: 'createTable', vpc: 0, routes: [] });
  await createEndpoint(run, { t: 'createEndpoint', vpc: 0, svc: 1, tables: null });
  const ep = run.eps[0]!;
  const [def, extra, otherDef] = [run.tables[0]!.id, run.tables[2]!.id, run.tables[1]!.id];
  const scope = { vpcIds: run.vpcs };
  await checkInvariants(w.store, scope);
  const corruptions: [string, RegExp, (db: Tx['db']) => Promise<unknown>][] = [
    [
      'an egw route missing',
      /\(a\)/,
      (db) =>
        db
          .deleteFrom('routes')
          .where('destination', '=', '100.127.0.0/24')
          .where('routetable_id', '=', def)
          .execute(),
    ],
    [
      'an egw route with a wrong next hop',
      /\(a\)/,
      (db) => db.updateTable('routes').set({ nexthop: 'x' }).where('endpoint_id', '=', ep.id).execute(),
    ],
    [
      'an egw route without a binding',
      /\(a\)/,
      (db) =>
        db
          .insertInto('routes')
          .values({
            routetable_id: extra,
            destination: '100.125.0.0/16',
            type: 'egw',
            nexthop: ep.id,
            description: '',
            endpoint_id: ep.id,
          })
          .execute(),
    ],
    [
      'a binding without routes',
      /\(a\)/,
      (db) =>
        db
          .insertInto('endpoint_routetables')
          .values({ endpoint_id: ep.id, routetable_id: extra, endpoint_service_id: serviceIds[1]! })
          .execute(),
    ],
    [
      'a binding to another VPC',
      /another VPC/,
      (db) =>
        db
          .updateTable('endpoint_routetables')
          .set({ routetable_id: otherDef })
          .where('endpoint_id', '=', ep.id)
          .execute(),
    ],
    [
      'a gateway endpoint without tables',
      /\(c\)|\(a\)/,
      (db) => db.deleteFrom('endpoint_routetables').where('endpoint_id', '=', ep.id).execute(),
    ],
  ];
  const rollback = new Error('rollback');
  for (const [what, message, corrupt] of corruptions) {
    // Corrupt inside a transaction that never commits; the checker reads through the same connection.
    await assert.rejects(
      w.store.tx(async (r) => {
        await corrupt(r.db);
        await assert.rejects(checkInvariants(txStore(r), scope), message, `the checker misses: ${what}`);
        throw rollback;
      }),
      (e) => e === rollback,
    );
    await checkInvariants(w.store, scope);
  }
  await cleanup(run);
});

test('the whole store keeps the invariants after all runs', async () => {
  await checkInvariants(w.store);
});
