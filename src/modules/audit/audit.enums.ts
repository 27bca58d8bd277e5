import { registerEnumType } from 'type-graphql';

/** What a line of a merchant's audit log records. */
export enum AuditAction {
  CASE_OPENED = 'CASE_OPENED',
  CASE_DECISION = 'CASE_DECISION',
  CASE_RULED = 'CASE_RULED',
  APPEAL_MOVED = 'APPEAL_MOVED',
  LEDGER_POSTED = 'LEDGER_POSTED',
  SCORE_EVENT = 'SCORE_EVENT',
  STATUS_CHANGED = 'STATUS_CHANGED',
  WARNING_RAISED = 'WARNING_RAISED',
  FORCE_MAJEURE_REPORTED = 'FORCE_MAJEURE_REPORTED',
}
registerEnumType(AuditAction, { name: 'AuditAction', description: 'What a line of the audit log records.' });

/**
 * What an audit line or a live event is about; its `subjectId` is that object's global id. PRODUCT
 * and ORDER appear only on warnings recorded before warnings had ids of their own.
 */
export enum AuditSubjectType {
  AFTER_SALES_CASE = 'AFTER_SALES_CASE',
  APPEAL = 'APPEAL',
  LEDGER_TRANSACTION = 'LEDGER_TRANSACTION',
  SCORE_EVENT = 'SCORE_EVENT',
  MERCHANT = 'MERCHANT',
  WARNING = 'WARNING',
  PRODUCT = 'PRODUCT',
  ORDER = 'ORDER',
  MERCHANT_STATUS_CHANGE = 'MERCHANT_STATUS_CHANGE',
}
registerEnumType(AuditSubjectType, {
  name: 'AuditSubjectType',
  description: 'What an audit line or a merchant event is about.',
});
