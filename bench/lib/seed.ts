// Fills a store with gateway endpoints directly, through the repo's own store code: 100,000 through
// the API would take far longer than the bench itself. The rows are those the API writes (VPC create,
// route table create, endpoint create and its `#apply`), in one transaction; the audit events of
// those calls are history, not state, and are left out.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { egwRoutes } from '../../src/domain/bindings.ts';
import { endsAt } from '../../src/domain/endpoint-status.ts';
import type { NewRow } from '../../src/store/queries.ts';
import type { Database } from '../../src/store/schema.ts';
import type { Store, Tx } from '../../src/store/store.ts';
import type { Scene } from './load.ts';

/** Endpoints per VPC; each endpoint has two route tables of its own and is bound to the first. */
const PER_VPC = 100;
/** Rows per insert statement: well under SQLite's 32,766 bound parameters. */
const CHUNK = 500;

/** The gateway service every server of the bench offers: the configuration's default one. */
function defaultServiceName(): { name: string; cidrs: string[] } {
  const config = loadConfig({});
  const g = config.gatewayServices[0]!;
  return { name: `${config.region}.${g.name}`, cidrs: g.cidrs };
}

async function insertMany<T extends keyof Database>(r: Tx, table: T, rows: NewRow<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Kysely's typing of a generic table name does not narrow `values`; the rows are NewRow<T>.
    await r.db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/**
 * Adds the endpoints numbered `from` to `to` - 1 (`from` a multiple of 100) to the project, with
 * their VPCs (100 endpoints each, a default table with its `local` route), two tables per
 * endpoint, the `egw` routes and the binding rows. Returns the scenes of the endpoints added.
 */
export async function seedEndpoints(
  store: Store,
  projectId: string,
  from: number,
  to: number,
): Promise<Scene[]> {
  const { name, cidrs } = defaultServiceName();
  const t0 = Date.now() - (to - from);
  const iso = (i: number) => new Date(t0 + i - from).toISOString();
  const vpcs: NewRow<'vpcs'>[] = [];
  const tables: NewRow<'routetables'>[] = [];
  const routes: NewRow<'routes'>[] = [];
  const endpoints: NewRow<'endpoints'>[] = [];
  const bindings: NewRow<'endpoint_routetables'>[] = [];
  const scenes: Scene[] = [];
  const table = (vpcId: string, id: string, name: string, at: string, isDefault = 0) =>
    tables.push({
      id,
      project_id: projectId,
      vpc_id: vpcId,
      name,
      description: isDefault ? 'Default route table' : '',
      is_default: isDefault,
      created_at: at,
      updated_at: at,
    });
  return store.tx(async (r) => {
    const service = await r.services.byName(name, new Date());
    if (!service) throw new Error(`the store has no service ${name}: start the server on it first`);
    let vpcId = '';
    for (let i = from; i < to; i++) {
      const at = iso(i);
      if (i % PER_VPC === 0) {
        vpcId = randomUUID();
        const cidr = '10.0.0.0/16';
        vpcs.push({
          id: vpcId,
          project_id: projectId,
          name: `v${i / PER_VPC}`,
          cidr,
          description: '',
          created_at: at,
          updated_at: at,
        });
        const defaultId = randomUUID();
        table(vpcId, defaultId, `rtb-v${i / PER_VPC}`, at, 1);
        routes.push({
          routetable_id: defaultId,
          destination: cidr,
          type: 'local',
          nexthop: '-',
          description: '',
          endpoint_id: null,
        });
      }
      const [a, b] = [randomUUID(), randomUUID()];
      table(vpcId, a, `a${i}`, at);
      table(vpcId, b, `b${i}`, at);
      const id = randomUUID();
      endpoints.push({
        id,
        project_id: projectId,
        endpoint_service_id: service.id,
        vpc_id: vpcId,
        subnet_id: '',
        // As create leaves it with no provisioning delay: `accepted` from its ready_at on.
        status: 'creating',
        ready_at: endsAt(new Date(at), 0),
        // Unique by construction: the API draws them at random, and 100,000 draws would collide.
        marker_id: 100_000_000 + i,
        description: '',
        ip: '',
        enable_dns: 0,
        whitelist: '[]',
        enable_whitelist: 0,
        policy_statement: '[]',
        tags: '[]',
        created_at: at,
        updated_at: at,
      });
      for (const route of egwRoutes(id, cidrs)) {
        routes.push({ ...route, routetable_id: a, description: '', endpoint_id: id });
      }
      bindings.push({ endpoint_id: id, routetable_id: a, endpoint_service_id: service.id });
      scenes.push({ endpoint: id, tables: [a, b] });
    }
    await insertMany(r, 'vpcs', vpcs);
    await insertMany(r, 'routetables', tables);
    await insertMany(r, 'routes', routes);
    await insertMany(r, 'endpoints', endpoints);
    await insertMany(r, 'endpoint_routetables', bindings);
    return scenes;
  });
}
