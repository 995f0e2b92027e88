export type AuditAction = 'read' | 'create' | 'update' | 'delete' | 'sign_in' | 'sign_out' | 'export';

export interface AuditEntry {
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  /** Set whenever the entry concerns a child's record, so the trail can be filtered per child. */
  childId?: string | null;
  detail?: string | null;
}
