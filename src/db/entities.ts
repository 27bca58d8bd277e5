import {
  AfterSalesCase,
  CaseEvidence,
  CaseMessage,
  CaseStatusChange,
  RefundOnlyTally,
} from '../modules/after-sales/after-sales.entity';
import { Appeal, AppealEvidence, AppealStatusChange, ForceMajeureReport } from '../modules/appeals/appeals.entity';
import { AuditEntry } from '../modules/audit/audit.entity';
import { Buyer } from '../modules/buyers/buyer.entity';
import { Warning } from '../modules/warnings/warnings.entity';
import { Merchant, MerchantStatusChange } from '../modules/merchants/merchant.entity';
import { Order, OrderLine, OrderStatusChange } from '../modules/orders/order.entity';
import { LedgerAccount, LedgerEntry, LedgerTransaction } from '../modules/ledger/ledger.entity';
import { BuyerRisk, MerchantScore, ProductScore, ScoreEvent } from '../modules/trust/trust.entity';
import { PolicyVersion } from '../modules/policies/policy.entity';
import { Product, ProductPrice } from '../modules/products/product.entity';

/** The explicit entity list: no folder scanning, so tsx, vitest and tsc discover the same set. */
export const entities = [
  Merchant,
  MerchantStatusChange,
  Buyer,
  Product,
  ProductPrice,
  Order,
  OrderLine,
  OrderStatusChange,
  PolicyVersion,
  LedgerAccount,
  LedgerTransaction,
  LedgerEntry,
  ScoreEvent,
  MerchantScore,
  ProductScore,
  BuyerRisk,
  AfterSalesCase,
  CaseStatusChange,
  CaseEvidence,
  CaseMessage,
  RefundOnlyTally,
  Warning,
  Appeal,
  AppealStatusChange,
  AppealEvidence,
  AuditEntry,
  ForceMajeureReport,
];
