import { Queries, type NewRow } from './queries.ts';

/** Sessions of the web console, found by the hash of their id (spec/console.md, "Sessions"). */
export class ConsoleSessionQueries extends Queries {
  async insert(row: NewRow<'console_sessions'>) {
    await this.db.insertInto('console_sessions').values(row).execute();
  }
  byHash(idHash: string) {
    return this.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
  }
  async delete(idHash: string) {
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
  }
  /** Removes the sessions that expired before `now` (ISO time); returns how many. */
  async deleteExpired(now: string) {
    const r = await this.db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
