import { Migration } from '@mikro-orm/migrations';

/** A penalty reversed by an upheld appeal says so, and which appeal reversed it. */
export class Migration20261206010000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "merchant_status_change" add column "reversed_at" timestamptz null, add column "reversed_by_appeal_id" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "merchant_status_change" drop column "reversed_at", drop column "reversed_by_appeal_id";`);
  }

}
