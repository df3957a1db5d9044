import type { Row } from '../../src/store/queries.ts';
import type { Store } from '../../src/store/store.ts';

export type AuditRecord = Row<'audit_log'>;

/**
 * The project's audit records in commit order (oldest first), only those of `action` when given.
 * No API lists the audit log, so tests read it through the store's own query.
 */
export async function auditLog(
  store: Pick<Store, 'read'>,
  projectId: string,
  action?: string,
): Promise<AuditRecord[]> {
  const newestFirst = await store.read((r) => r.audit.list(projectId, 1_000_000));
  return newestFirst.reverse().filter((row) => action === undefined || row.action === action);
}
