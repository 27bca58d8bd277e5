import { Migration } from '@mikro-orm/migrations';

export class Migration20261206162816 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "order_merchant_id_paid_at_id_index";`);

    this.addSql(`create index "order_merchant_paid_at_with_status_index" on "order" ("merchant_id", "paid_at", "id") include ("status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "order_merchant_paid_at_with_status_index";`);

    this.addSql(`create index "order_merchant_id_paid_at_id_index" on "order" ("merchant_id", "paid_at", "id");`);
  }

}
