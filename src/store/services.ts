import { Queries, type NewRow } from './queries.ts';

/** Endpoint services. */
export class ServiceQueries extends Queries {
  byId(id: string) {
    return this.db.selectFrom('endpoint_services').selectAll().where('id', '=', id).executeTakeFirst();
  }
  byName(name: string) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('service_name', '=', name)
      .executeTakeFirst();
  }
  listPublic() {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('owner_project_id', 'is', null)
      .orderBy('service_name')
      .execute();
  }
  async insert(row: NewRow<'endpoint_services'>) {
    await this.db.insertInto('endpoint_services').values(row).execute();
  }
}
