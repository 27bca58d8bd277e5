import { registerEnumType } from 'type-graphql';

export enum Role {
  /** A shop's own user: its own data only. */
  MERCHANT = 'MERCHANT',
  /** Reviews appeals, rules on after-sales cases. */
  ARBITRATOR = 'ARBITRATOR',
  /** Tags buyers, adjusts scores, warns and clears merchants. */
  RISK = 'RISK',
  /** Posts and reverses ledger transactions, manages funds. */
  FINANCE = 'FINANCE',
  /** Publishes policy versions. */
  POLICY_ADMIN = 'POLICY_ADMIN',
  /** Service account of the platform: orders, cases, facts. */
  INGEST = 'INGEST',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role' });

/** Platform staff who may read every merchant's data. */
export const STAFF_READERS = [Role.ARBITRATOR, Role.RISK, Role.FINANCE, Role.POLICY_ADMIN, Role.ADMIN] as const;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (Object.values(Role) as string[]).includes(value);
}

/** Who may read merchant data at all: merchants (their own, by tenant scope) and platform staff. */
export const MERCHANT_DATA_READERS = [Role.MERCHANT, ...STAFF_READERS] as const;
