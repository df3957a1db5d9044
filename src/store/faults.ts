import { prepare, type Shaping } from './prepared.ts';
import { Queries, type LockOption, type NewRow } from './queries.ts';

const ofProject = (lock: boolean) =>
  prepare((s: Shaping, projectId: string) => {
    const q = s.db
      .selectFrom('faults')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id');
    return lock ? s.forUpdate(q) : q;
  });
const LIST = ofProject(false);
const LIST_FOR_UPDATE = ofProject(true);

/** Injected faults of the route backend. */
export class FaultQueries extends Queries {
  /** The project's faults; `forUpdate` makes a fault that fires be used up by one call only. */
  list(projectId: string, opts?: LockOption) {
    return this.all(opts?.forUpdate ? LIST_FOR_UPDATE : LIST, projectId);
  }
  async insert(row: NewRow<'faults'>) {
    await this.db.insertInto('faults').values(row).execute();
  }
  async update(id: string, remaining: number | null) {
    await this.db.updateTable('faults').set({ remaining }).where('id', '=', id).execute();
  }
  async delete(projectId: string, id: string) {
    const r = await this.db
      .deleteFrom('faults')
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
