import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../engine.ts';

/**
 * How many endpoint rows each project holds, kept by the database itself (issue 12): a list's
 * `total_count` and a create's quota check read one row instead of counting every endpoint of the
 * project, which grew with the store (16 ms of a list call at 100,000 endpoints). Triggers keep it,
 * so no write path can forget it, and it changes in the transaction of the row's own insert or
 * delete. Rows a deletion has ended but no sweep has removed yet are still counted here; readers
 * subtract them (store/endpoints.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('endpoint_counts')
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into endpoint_counts (project_id, n)
    select project_id, count(*) from endpoints group by project_id`.execute(db);
  if (dialect === 'sqlite') {
    await sql`create trigger endpoints_counted_insert after insert on endpoints begin
      insert into endpoint_counts (project_id, n) values (new.project_id, 1)
        on conflict (project_id) do update set n = n + 1;
    end`.execute(db);
    await sql`create trigger endpoints_counted_delete after delete on endpoints begin
      update endpoint_counts set n = n - 1 where project_id = old.project_id;
    end`.execute(db);
    return;
  }
  await sql`create function endpoints_counted() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into endpoint_counts (project_id, n) values (new.project_id, 1)
          on conflict (project_id) do update set n = endpoint_counts.n + 1;
      else
        update endpoint_counts set n = n - 1 where project_id = old.project_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger endpoints_counted after insert or delete on endpoints
    for each row execute function endpoints_counted()`.execute(db);
}
