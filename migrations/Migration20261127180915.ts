import { Migration } from '@mikro-orm/migrations';

export class Migration20261127180915 extends Migration {

  override async up(): Promise<void> {
    // The balance check must see every entry of a transaction, whoever's scope commits it (the
    // platform's automatic postings can commit inside a merchant's mutation).
    this.addSql(`alter function weiquan_ledger_balanced() security definer set search_path = public;`);

    this.addSql(`alter table "merchant_score" drop constraint if exists "merchant_score_band_check";`);

    this.addSql(`alter table "order" drop constraint if exists "order_status_check";`);

    this.addSql(`alter table "order_status_change" drop constraint if exists "order_status_change_from_status_check";`);
    this.addSql(`alter table "order_status_change" drop constraint if exists "order_status_change_to_status_check";`);

    this.addSql(`alter table "merchant_score" add constraint "merchant_score_band_check" check("band" in ('TOP', 'HIGH', 'MEDIUM', 'LOW', 'NEW'));`);

    this.addSql(`alter table "order" add column "voided_at" timestamptz null;`);
    this.addSql(`alter table "order" add constraint "order_status_check" check("status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED', 'VOIDED'));`);

    this.addSql(`alter table "order_status_change" add constraint "order_status_change_from_status_check" check("from_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED', 'VOIDED'));`);
    this.addSql(`alter table "order_status_change" add constraint "order_status_change_to_status_check" check("to_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED', 'VOIDED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter function weiquan_ledger_balanced() security invoker reset search_path;`);

    this.addSql(`alter table "merchant_score" drop constraint if exists "merchant_score_band_check";`);

    this.addSql(`alter table "order" drop constraint if exists "order_status_check";`);

    this.addSql(`alter table "order_status_change" drop constraint if exists "order_status_change_from_status_check";`);
    this.addSql(`alter table "order_status_change" drop constraint if exists "order_status_change_to_status_check";`);

    this.addSql(`alter table "merchant_score" add constraint "merchant_score_band_check" check("band" in ('TOP', 'HIGH', 'MEDIUM', 'LOW'));`);

    this.addSql(`alter table "order" drop column "voided_at";`);

    this.addSql(`alter table "order" add constraint "order_status_check" check("status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED'));`);

    this.addSql(`alter table "order_status_change" add constraint "order_status_change_from_status_check" check("from_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED'));`);
    this.addSql(`alter table "order_status_change" add constraint "order_status_change_to_status_check" check("to_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED'));`);
  }

}
