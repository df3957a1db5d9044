import { prepare } from './prepared.ts';
import { Queries, type NewRow } from './queries.ts';

/** The columns an event is written with: every one, so that one statement writes them all. */
const EVENT_COLUMNS = [
  'at',
  'project_id',
  'actor',
  'user_id',
  'access_key',
  'operation',
  'outcome',
  'status',
  'error_code',
  'action',
  'resource_type',
  'resource_id',
  'request_id',
  'detail',
] as const satisfies readonly (keyof NewRow<'audit_log'>)[];

export type EventRow = Required<Pick<NewRow<'audit_log'>, (typeof EVENT_COLUMNS)[number]>>;

const INSERT_EVENT = prepare(
  ({ db }, ...values: unknown[]) =>
    db
      .insertInto('audit_log')
      .values(Object.fromEntries(EVENT_COLUMNS.map((c, i) => [c, values[i]])) as EventRow),
  EVENT_COLUMNS.length,
);

/** What a reader of the audit trail may narrow it to (spec/audit.md); every field optional. */
export interface AuditFilter {
  resource_id?: string;
  operation?: string;
  /** A user name, a user id or an access key. */
  caller?: string;
  outcome?: 'success' | 'failure';
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  /** Only events older than this one (its `seq`): the next page. */
  before?: number;
}

/** The audit trail: one record per state-changing call, its change's or its failure's. */
export class AuditQueries extends Queries {
  async insert(row: EventRow) {
    await this.runAtCommit(INSERT_EVENT, ...EVENT_COLUMNS.map((c) => row[c]));
  }

  /** A project's events, newest first. */
  list(projectId: string, limit: number, f: AuditFilter = {}) {
    let q = this.db.selectFrom('audit_log').selectAll().where('project_id', '=', projectId);
    if (f.resource_id !== undefined) q = q.where('resource_id', '=', f.resource_id);
    if (f.operation !== undefined) q = q.where('operation', '=', f.operation);
    if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<=', f.to);
    if (f.before !== undefined) q = q.where('seq', '<', f.before);
    const who = f.caller;
    if (who !== undefined) {
      q = q.where((eb) =>
        eb.or([eb('actor', '=', who), eb('user_id', '=', who), eb('access_key', '=', who)]),
      );
    }
    return q.orderBy('seq', 'desc').limit(limit).execute();
  }
}
