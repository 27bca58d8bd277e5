import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { BaseEntity, fenColumn, timestampColumn } from '../../db/base.entity';
import { StatusChangeRecord } from '../../db/status-change.entity';
import { SalesPlatform } from '../../shared/enums';
import { Buyer } from '../buyers/buyer.entity';
import { Merchant } from '../merchants/merchant.entity';
import { Order } from '../orders/order.entity';
import { Product } from '../products/product.entity';
import {
  BreakerSubject,
  CaseParty,
  CaseReason,
  CaseRuling,
  CaseStatus,
  CaseType,
  EvidenceKind,
} from './after-sales.enums';
import type { InterventionDecision } from './after-sales.rules';

/** An after-sales case (售后) on one order, as the platform reports it; the gateway decides and rules. */
@Entity({ tableName: 'after_sales_case' })
@Unique({ properties: ['platform', 'externalNumber'] })
@Index({ properties: ['merchant', 'openedAt', 'id'] })
@Index({ properties: ['order', 'type', 'status'] })
// At most one open case of a type per order, whatever the concurrency.
@Index({
  name: 'after_sales_case_one_open_per_type',
  expression: `create unique index "after_sales_case_one_open_per_type" on "after_sales_case" ("order_id", "type") where status not in ('RULED', 'CLOSED', 'WITHDRAWN')`,
})
@Check({ name: 'after_sales_case_amounts', expression: 'requested_amount > 0 and coalesce(refund_amount, 0) >= 0' })
export class AfterSalesCase extends BaseEntity {
  @Enum({ items: () => SalesPlatform, type: 'string' })
  platform!: SalesPlatform;

  /** The platform's case number: opening the same case again is a duplicate, not a second case. */
  @Property({ type: 'string', length: 64 })
  externalNumber!: string;

  @ManyToOne(() => Order)
  order!: Order;

  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  @ManyToOne(() => Buyer, { index: true })
  buyer!: Buyer;

  /** The product the claim is about (a line of the order). */
  @ManyToOne(() => Product, { index: true })
  product!: Product;

  @Enum({ items: () => CaseType, type: 'string' })
  type!: CaseType;

  @Enum({ items: () => CaseReason, type: 'string' })
  reason!: CaseReason;

  /** Opened after the buyer received the goods (refund-only after receipt). */
  @Property({ type: 'boolean' })
  afterReceipt!: boolean;

  @Property(fenColumn())
  requestedAmount!: number;

  /** The buyer returns through the platform's official logistics pickup. */
  @Property({ type: 'boolean' })
  officialPickup!: boolean;

  @Enum({ items: () => CaseStatus, type: 'string' })
  status!: CaseStatus;

  @Enum({ items: () => CaseRuling, type: 'string', nullable: true })
  ruling?: CaseRuling | null;

  @Property({ ...fenColumn(), nullable: true })
  refundAmount?: number | null;

  /** The latest intervention decision with every rule that applied; readable by the merchant. */
  @Property({ type: 'json', nullable: true })
  decision?: InterventionDecision | null;

  /** Intervention is not before this time (minor defect: the negotiation window). */
  @Property({ ...timestampColumn(), nullable: true })
  interveneAfter?: Date | null;

  @Property(timestampColumn())
  openedAt!: Date;

  @Property({ ...timestampColumn(), nullable: true })
  ruledAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  rulingReason?: string | null;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;
}

@Entity({ tableName: 'after_sales_case_status_change' })
@Index({ properties: ['afterSalesCase', 'createdAt'] })
export class CaseStatusChange extends StatusChangeRecord {
  @ManyToOne(() => AfterSalesCase, { fieldName: 'case_id', deleteRule: 'cascade' })
  afterSalesCase!: AfterSalesCase;

  @Enum({ items: () => CaseStatus, type: 'string', nullable: true })
  fromStatus?: CaseStatus | null;

  @Enum({ items: () => CaseStatus, type: 'string' })
  toStatus!: CaseStatus;
}

/** Evidence supplied on a case; everything the buyer supplies is shared with the merchant (rule 4). */
@Entity({ tableName: 'case_evidence' })
@Index({ properties: ['afterSalesCase', 'suppliedAt'] })
@Check({ name: 'case_evidence_has_content', expression: 'url is not null or text is not null' })
export class CaseEvidence extends BaseEntity {
  @ManyToOne(() => AfterSalesCase, { fieldName: 'case_id', deleteRule: 'cascade' })
  afterSalesCase!: AfterSalesCase;

  @Enum({ items: () => EvidenceKind, type: 'string' })
  kind!: EvidenceKind;

  @Property({ type: 'string', length: 2000, nullable: true })
  url?: string | null;

  @Property({ type: 'text', nullable: true })
  text?: string | null;

  @Enum({ items: () => CaseParty, type: 'string' })
  suppliedBy!: CaseParty;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property(timestampColumn())
  suppliedAt!: Date;
}

/** One message of the negotiation between buyer and merchant (or the platform). */
@Entity({ tableName: 'case_message' })
@Index({ properties: ['afterSalesCase', 'sentAt'] })
export class CaseMessage extends BaseEntity {
  @ManyToOne(() => AfterSalesCase, { fieldName: 'case_id', deleteRule: 'cascade' })
  afterSalesCase!: AfterSalesCase;

  @Enum({ items: () => CaseParty, type: 'string' })
  author!: CaseParty;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property(timestampColumn())
  sentAt!: Date;
}

/**
 * Daily counters for the refund-only circuit breakers, kept in the transaction that changes them:
 * orders paid and refund-only cases opened per buyer, merchant and product and day. A breaker reads
 * one short primary-key range (the window's days), never the orders. `merchant_id` is the owning
 * merchant (null for a buyer's counters), for row-level security.
 */
@Entity({ tableName: 'refund_only_tally' })
export class RefundOnlyTally {
  @Enum({ items: () => BreakerSubject, type: 'string', primary: true })
  subject!: BreakerSubject;

  @PrimaryKey({ type: 'uuid' })
  subjectId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'uuid', nullable: true })
  merchantId?: string | null;

  @Property({ type: 'integer', default: 0 })
  orders!: number;

  @Property({ type: 'integer', default: 0 })
  refundOnly!: number;
}
