import { Queries, type NewRow } from './queries.ts';

/** The audit trail: one record per committed change. */
export class AuditQueries extends Queries {
  async insert(row: NewRow<'audit_log'>) {
    await this.db.insertInto('audit_log').values(row).execute();
  }
  list(projectId: string, limit: number) {
    return this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
  }
}
