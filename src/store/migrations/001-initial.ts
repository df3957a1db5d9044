import type { Kysely } from 'kysely';

// Written once for both SQLite and PostgreSQL: text, integer and JSON-as-text columns only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, autoIncrement: 'sqlite' | 'postgres'): Promise<void> {
  const ts = 'text';
  await db.schema
    .createTable('domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain_id', 'text', (c) => c.notNull().references('domains.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('projects_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain_id', 'text', (c) => c.notNull().references('domains.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('users_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema
    .createTable('access_keys')
    .addColumn('access', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('server_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('vpcs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vpcs_project').on('vpcs').columns(['project_id', 'created_at']).execute();
  await db.schema
    .createTable('routetables')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('routetables_vpc').on('routetables').columns(['vpc_id']).execute();
  await db.schema
    .createIndex('routetables_project')
    .on('routetables')
    .columns(['project_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('subnets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('gateway_ip', 'text', (c) => c.notNull())
    .addColumn('routetable_id', 'text', (c) => c.references('routetables.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subnets_vpc').on('subnets').columns(['vpc_id']).execute();
  await db.schema
    .createTable('routes')
    .addColumn('routetable_id', 'text', (c) => c.notNull().references('routetables.id'))
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('nexthop', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text')
    .addPrimaryKeyConstraint('routes_pk', ['routetable_id', 'destination'])
    .execute();
  await db.schema
    .createTable('endpoint_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_project_id', 'text')
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull().unique())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .addColumn('server_type', 'text', (c) => c.notNull())
    .addColumn('vpc_id', 'text', (c) => c.notNull())
    .addColumn('port_id', 'text', (c) => c.notNull())
    .addColumn('approval_enabled', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cidrs', 'text', (c) => c.notNull())
    .addColumn('is_charge', 'integer', (c) => c.notNull())
    .addColumn('enable_policy', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_service_id', 'text', (c) => c.notNull().references('endpoint_services.id'))
    .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
    .addColumn('subnet_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ready_at', ts, (c) => c.notNull())
    .addColumn('marker_id', 'integer', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('enable_dns', 'integer', (c) => c.notNull())
    .addColumn('whitelist', 'text', (c) => c.notNull())
    .addColumn('enable_whitelist', 'integer', (c) => c.notNull())
    .addColumn('policy_statement', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('endpoints_project')
    .on('endpoints')
    .columns(['project_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('endpoint_routetables')
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
    .addColumn('routetable_id', 'text', (c) => c.notNull().references('routetables.id'))
    .addColumn('endpoint_service_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('endpoint_routetables_pk', ['endpoint_id', 'routetable_id'])
    // One endpoint of a gateway service per route table, enforced by the store itself (routetables.md).
    .addUniqueConstraint('endpoint_routetables_one_per_service', ['routetable_id', 'endpoint_service_id'])
    .execute();
  await db.schema
    .createTable('faults')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('routetable_id', 'text', (c) => c.notNull())
    .addColumn('remaining', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', autoIncrement === 'postgres' ? 'bigserial' : 'integer', (c) =>
      autoIncrement === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
}
