import { Migration } from '@mikro-orm/migrations';

export class Migration20261127020850 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "ledger_transaction_policy_version_index" on "ledger_transaction" ("policy_version");`);

    this.addSql(`create index "score_event_policy_version_index" on "score_event" ("policy_version");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "ledger_transaction_policy_version_index";`);

    this.addSql(`drop index "score_event_policy_version_index";`);
  }

}
