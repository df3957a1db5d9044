import { sql, type Kysely } from 'kysely';

/**
 * Interface services and their consumers (issue 11): ports, the address registry of subnets that
 * ports and interface endpoints share, endpoint services of users (ports, proxy, tags, owning
 * domain, provisioning time), their permissions, and what endpoints gained (policy document, the
 * provider's description of the connection). Text, integer and JSON-as-text columns only.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
    .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ip_address', 'text', (c) => c.notNull())
    .addColumn('mac_address', 'text', (c) => c.notNull())
    .addColumn('device_owner', 'text', (c) => c.notNull())
    .addColumn('admin_state_up', 'integer', (c) => c.notNull())
    .addColumn('security_groups', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ports_project').on('ports').columns(['project_id', 'created_at']).execute();
  // One row per address in use in a subnet, whoever holds it: the primary key is what makes two
  // allocations of one address impossible, whichever replica makes them.
  await db.schema
    .createTable('ip_allocations')
    .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id'))
    .addColumn('ip_address', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ip_allocations_pk', ['subnet_id', 'ip_address'])
    .execute();
  await db.schema.createIndex('ip_allocations_owner').on('ip_allocations').columns(['owner_id']).execute();

  const add = (table: string, column: string, type: 'text' | 'integer', value: string | number) =>
    db.schema
      .alterTable(table)
      .addColumn(column, type, (c) => c.notNull().defaultTo(value))
      .execute();
  await add('endpoint_services', 'owner_domain_id', 'text', '');
  await add('endpoint_services', 'ports', 'text', '[]');
  await add('endpoint_services', 'tcp_proxy', 'text', 'close');
  await add('endpoint_services', 'tags', 'text', '[]');
  await add('endpoint_services', 'ready_at', 'text', '');
  await db
    .updateTable('endpoint_services')
    .set({
      owner_domain_id: sql`(select p.domain_id from projects p where p.id = endpoint_services.owner_project_id)`,
    })
    .where('owner_project_id', 'is not', null)
    .execute();
  await db.schema
    .createIndex('endpoint_services_owner')
    .on('endpoint_services')
    .columns(['owner_project_id'])
    .execute();

  await db.schema
    .createTable('service_permissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_service_id', 'text', (c) => c.notNull().references('endpoint_services.id'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('service_permissions_one', ['endpoint_service_id', 'permission'])
    .execute();

  await add('endpoints', 'policy_document', 'text', '');
  await add('endpoints', 'connection_description', 'text', '');
  await db.schema.createIndex('endpoints_service').on('endpoints').columns(['endpoint_service_id']).execute();
}
