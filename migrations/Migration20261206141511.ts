import { Migration } from '@mikro-orm/migrations';

export class Migration20261206141511 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "order_status_paid_at_id_index" on "order" ("status", "paid_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "order_status_paid_at_id_index";`);
  }

}
