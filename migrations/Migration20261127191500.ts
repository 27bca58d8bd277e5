import { Migration } from '@mikro-orm/migrations';

/**
 * Row-level security policies that PostgreSQL evaluates once per statement, not once per row: the
 * tenant functions are called through sub-selects, which the planner turns into init-plans. Called
 * directly they ran for every row and hid the tenant column from the indexes (orders(first: 50) was a
 * scan and sort of every order).
 */
const OWN: Record<string, string> = {
  merchant: `id = (select weiquan_merchant_id())`,
  merchant_status_change: `merchant_id = (select weiquan_merchant_id())`,
  product: `merchant_id = (select weiquan_merchant_id())`,
  product_price: `exists (select 1 from product p where p.id = product_id)`,
  order: `merchant_id = (select weiquan_merchant_id())`,
  order_line: `exists (select 1 from "order" o where o.id = order_id)`,
  order_status_change: `exists (select 1 from "order" o where o.id = order_id)`,
  buyer: `exists (select 1 from "order" o where o.buyer_id = buyer.id)`,
  ledger_account: `merchant_id = (select weiquan_merchant_id())`,
  ledger_transaction: `merchant_id = (select weiquan_merchant_id())`,
  ledger_entry: `exists (select 1 from ledger_account a where a.id = account_id)`,
  score_event: `merchant_id = (select weiquan_merchant_id())`,
  merchant_score: `merchant_id = (select weiquan_merchant_id())`,
  product_score: `exists (select 1 from product p where p.id = product_id)`,
  buyer_risk: `exists (select 1 from "order" o where o.buyer_id = buyer_risk.buyer_id)`,
};

export class Migration20261127191500 extends Migration {
  override async up(): Promise<void> {
    for (const [table, own] of Object.entries(OWN)) {
      const rule = `(select weiquan_is_platform()) or (${own})`;
      this.addSql(`alter policy tenant_isolation on "${table}" using (${rule}) with check (${rule});`);
    }
  }

  override async down(): Promise<void> {
    for (const [table, own] of Object.entries(OWN)) {
      const rule = `weiquan_is_platform() or (${own.replaceAll('(select weiquan_merchant_id())', 'weiquan_merchant_id()')})`;
      this.addSql(`alter policy tenant_isolation on "${table}" using (${rule}) with check (${rule});`);
    }
  }
}
