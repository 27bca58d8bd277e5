import { Migration } from '@mikro-orm/migrations';

export class Migration20261127211625 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_transaction" drop constraint if exists "ledger_transaction_kind_check";`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_kind_check" check("kind" in ('RETURN_SHIPPING_SUBSIDY', 'DISPUTE_COMPENSATION', 'TRANSIT_LOSS_COMPENSATION', 'LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY', 'PROMOTION_FEE_REBATE', 'TECH_SERVICE_FEE', 'TECH_SERVICE_FEE_REBATE', 'REMOTE_LOGISTICS_FEE', 'PRICE_ERROR_COMPENSATION', 'BUYER_EXPERIENCE_COUPON', 'SMALL_MERCHANT_COUPONS', 'GROWTH_INCENTIVE', 'FUND_ALLOCATION', 'REVERSAL'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ledger_transaction" drop constraint if exists "ledger_transaction_kind_check";`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_kind_check" check("kind" in ('RETURN_SHIPPING_SUBSIDY', 'DISPUTE_COMPENSATION', 'TRANSIT_LOSS_COMPENSATION', 'LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY', 'PROMOTION_FEE_REBATE', 'TECH_SERVICE_FEE', 'TECH_SERVICE_FEE_REBATE', 'REMOTE_LOGISTICS_FEE', 'PRICE_ERROR_COMPENSATION', 'SMALL_MERCHANT_COUPONS', 'GROWTH_INCENTIVE', 'FUND_ALLOCATION', 'REVERSAL'));`);
  }

}
