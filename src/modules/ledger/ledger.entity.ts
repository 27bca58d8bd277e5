import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { fenColumn, timestampColumn } from '../../db/base.entity';
import { Merchant } from '../merchants/merchant.entity';
import { Order } from '../orders/order.entity';
import { PolicyVersion } from '../policies/policy.entity';
import { AccountKind, FundCode, LedgerKind } from './ledger.enums';

@Entity({ tableName: 'ledger_account' })
@Check({ name: 'ledger_account_fund_not_overdrawn', expression: `kind <> 'FUND' or balance >= 0` })
export class LedgerAccount {
  [OptionalProps]?: 'id' | 'balance' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stable name: `FUND:SPECIAL_SUBSIDY`, `MERCHANT_CASH:<merchant id>`, `FEE_INCOME`, ... */
  @Property({ type: 'string', length: 100, unique: true })
  code!: string;

  @Enum({ items: () => AccountKind, type: 'string' })
  kind!: AccountKind;

  @Enum({ items: () => FundCode, type: 'string', nullable: true })
  fund?: FundCode | null;

  @ManyToOne(() => Merchant, { nullable: true, index: true })
  merchant?: Merchant | null;

  /** Sum of the account's entries, kept in the same transaction as each posting (a test checks it). */
  @Property(fenColumn())
  balance: number = 0;

  @Property(timestampColumn())
  createdAt: Date = new Date();
}

/** One balanced movement of money. Append-only; a mistake is corrected by a reversing transaction. */
@Entity({ tableName: 'ledger_transaction' })
@Unique({ properties: ['kind', 'idempotencyKey'] })
@Index({ properties: ['merchant', 'kind', 'period'] })
@Index({ properties: ['order', 'kind'] })
@Index({ properties: ['effectiveAt', 'id'] })
// A merchant's postings, newest first: the ledger page of every merchant console.
@Index({ properties: ['merchant', 'effectiveAt', 'id'] })
export class LedgerTransaction {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => LedgerKind, type: 'string' })
  kind!: LedgerKind;

  @Property({ type: 'string', length: 200 })
  idempotencyKey!: string;

  /** Digest of the request that created it: the same key with other content is a conflict. */
  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  /** The amount moved (positive): what was paid, charged or reversed. */
  @Property(fenColumn())
  amount!: number;

  @ManyToOne(() => Merchant, { nullable: true })
  merchant?: Merchant | null;

  @ManyToOne(() => Order, { nullable: true })
  order?: Order | null;

  /** Cause ids of modules still to come (after-sales case, appeal); no foreign key yet. */
  @Property({ type: 'uuid', nullable: true })
  caseId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  appealId?: string | null;

  /** Calendar month (`2026-11`) of monthly caps; `ALL` for per-merchant caps. */
  @Property({ type: 'string', length: 7, nullable: true })
  period?: string | null;

  @ManyToOne(() => PolicyVersion, { fieldName: 'policy_version', index: true })
  policyVersion!: PolicyVersion;

  @ManyToOne(() => LedgerTransaction, { nullable: true, unique: true })
  reversalOf?: LedgerTransaction | null;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property(timestampColumn())
  effectiveAt!: Date;

  @Property(timestampColumn())
  createdAt: Date = new Date();
}

@Entity({ tableName: 'ledger_entry' })
@Check({ name: 'ledger_entry_not_zero', expression: 'amount <> 0' })
export class LedgerEntry {
  [OptionalProps]?: 'id';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => LedgerTransaction, { index: true })
  transaction!: LedgerTransaction;

  @ManyToOne(() => LedgerAccount, { index: true })
  account!: LedgerAccount;

  /** Signed fen: positive raises the account's balance. The entries of a transaction sum to zero. */
  @Property(fenColumn())
  amount!: number;
}
