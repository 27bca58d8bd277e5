import { Migration } from '@mikro-orm/migrations';

export class Migration20261127202942 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "order_status_index";`);

    this.addSql(`create index "order_status_merchant_id_index" on "order" ("status", "merchant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "order_status_merchant_id_index";`);

    this.addSql(`create index "order_status_index" on "order" ("status");`);
  }

}
