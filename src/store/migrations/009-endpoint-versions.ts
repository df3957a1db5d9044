import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../engine.ts';

/**
 * A version on every endpoint row (issue 12): raised by one at any change to the row or to its
 * bindings, so what an endpoint shows is known by its id and version, and a list builds again only
 * the views of endpoints that changed (service/endpoint-views.ts). The store's writes raise it
 * themselves (store/endpoints.ts, RAISED); an update of the row that does not is raised by the
 * trigger made here, so that no write of the row can forget it. A version is never given twice:
 * it only rises, in the transaction that changes the row, under the row's lock.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('endpoints')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  if (dialect === 'sqlite') {
    // Its own update does not fire it again: SQLite's recursive triggers are off, as the store leaves them.
    await sql`create trigger endpoints_versioned after update on endpoints
      when new.version <= old.version begin
      update endpoints set version = old.version + 1 where id = new.id;
    end`.execute(db);
    return;
  }
  await sql`create function endpoints_versioned() returns trigger language plpgsql as $$
    begin
      if new.version <= old.version then
        new.version := old.version + 1;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger endpoints_versioned before update on endpoints
    for each row execute function endpoints_versioned()`.execute(db);
}
