import type { MerchantStatus } from './enums';

/**
 * What happened in one module that others may act on, as plain data (local ids, amounts in fen,
 * times). Emitted inside the transaction that made it true; see `db/events.ts` for delivery.
 */
export type DomainEvent =
  | {
      type: 'OrderPlaced';
      orderId: string;
      merchantId: string;
      buyerId: string;
      /** Distinct products of the order's lines. */
      productIds: string[];
      paidAt: Date;
      /** It arrived already shipped (an abnormal-order warning comes before shipping only). */
      shipped: boolean;
    }
  | {
      type: 'OrderShipped';
      orderId: string;
      merchantId: string;
      buyerId: string;
      /** The order's products, by line number. */
      productIds: string[];
      shippedAt: Date;
      shipBy: Date;
      remoteRegion: boolean;
      destinationRegion: string;
    }
  | { type: 'OrderCompleted'; orderId: string; merchantId: string; completedAt: Date }
  | {
      type: 'OrderRefunded';
      orderId: string;
      merchantId: string;
      refundedAt: Date;
      shippedAt: Date | null;
      /** The after-sales case whose ruling refunded it, if any. */
      caseId?: string;
    }
  | { type: 'OrderCancelled'; orderId: string; merchantId: string; cancelledAt: Date }
  | { type: 'OrderVoided'; orderId: string; merchantId: string; voidedAt: Date; reason: string }
  | { type: 'BuyerFlagsChanged'; buyerId: string; malicious: boolean; superBuyer: boolean }
  | {
      type: 'MerchantStatusChanged';
      merchantId: string;
      /** The status history row this change recorded. */
      changeId: string;
      from: MerchantStatus;
      to: MerchantStatus;
      reason: string;
      at: Date;
    }
  | {
      type: 'ScoreEventRecorded';
      eventId: string;
      factor: string;
      merchantId: string | null;
      productId: string | null;
      buyerId: string | null;
      orderId: string | null;
      occurredAt: Date;
    }
  | {
      type: 'ProductPriceHeld';
      /** The low-price warning the warnings module raises for it, under this id. */
      warningId: string;
      productId: string;
      merchantId: string;
      heldPrice: number;
      medianPrice: number;
      belowMedianBp: number;
      policyVersion: number;
      at: Date;
    }
  | {
      type: 'OrderFlaggedAbnormal';
      /** The abnormal-order warning raised. */
      warningId: string;
      orderId: string;
      merchantId: string;
      reasons: string[];
      at: Date;
    }
  | {
      type: 'AfterSalesCaseOpened';
      caseId: string;
      orderId: string;
      merchantId: string;
      buyerId: string;
      productId: string;
      refundOnly: boolean;
      openedAt: Date;
    }
  | {
      type: 'AfterSalesCaseRuled';
      caseId: string;
      orderId: string;
      merchantId: string;
      buyerId: string;
      productId: string;
      ruling: 'REFUND_FULL' | 'REFUND_PARTIAL' | 'REJECTED';
      refundAmount: number;
      merchantAtFault: boolean;
      /** The refund draws on the merchant's monthly refund-only subsidy (quality refund-only after receipt). */
      drawsRepurchaseSubsidy: boolean;
      /** Return shipping to subsidise: a return through official pickup, with its cost; else null. */
      returnShippingCost: number | null;
      ruledAt: Date;
    }
  | {
      type: 'ForceMajeureReported';
      reportId: string;
      merchantId: string;
      region: string;
      startsAt: Date;
      endsAt: Date;
      reason: string;
      at: Date;
    }
  | {
      type: 'AppealMoved';
      appealId: string;
      merchantId: string;
      from: string | null;
      to: string;
      reason: string;
      at: Date;
      /** On a decision: the policy version it applied. */
      policyVersion?: number;
    }
  | {
      type: 'AfterSalesCaseDecided';
      caseId: string;
      merchantId: string;
      outcome: string;
      policyVersion: number;
      at: Date;
    }
  | {
      type: 'AppealDecided';
      appealId: string;
      merchantId: string;
      subjectType: 'ORDER' | 'AFTER_SALES_CASE' | 'SCORE_EVENT' | 'MERCHANT_STATUS_CHANGE';
      subjectId: string;
      orderId: string | null;
      upheld: boolean;
      /** Compensation granted to the merchant, in fen (0: none). */
      compensation: number;
      reason: string;
      at: Date;
    }
  | {
      type: 'LedgerTransactionPosted';
      transactionId: string;
      kind: string;
      amount: number;
      merchantId: string | null;
      orderId: string | null;
      reversalOfId: string | null;
      /** When it was posted (the context's clock). */
      at: Date;
    };

export type DomainEventType = DomainEvent['type'];

export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
