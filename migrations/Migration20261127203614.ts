import { Migration } from '@mikro-orm/migrations';

export class Migration20261127203614 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "ledger_transaction_merchant_id_effective_at_id_index" on "ledger_transaction" ("merchant_id", "effective_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "ledger_transaction_merchant_id_effective_at_id_index";`);
  }

}
