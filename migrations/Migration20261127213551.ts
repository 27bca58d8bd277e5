import { Migration } from '@mikro-orm/migrations';

/** The merchants' audit log: append-only, each merchant's own under row-level security. */
export class Migration20261127213551 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_entry" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "merchant_id" uuid not null, "action" varchar(64) not null, "actor" varchar(200) not null, "subject_type" varchar(64) not null, "subject_id" uuid not null, "cause" text not null, "policy_version" int null, "occurred_at" timestamptz not null, constraint "audit_entry_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_entry_merchant_id_created_at_id_index" on "audit_entry" ("merchant_id", "created_at", "id");`);

    this.addSql(`alter table "audit_entry" add constraint "audit_entry_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);

    this.addSql(`create trigger audit_entry_append_only before update or delete on "audit_entry"
      for each row execute function weiquan_append_only();`);
    const rule = `(select weiquan_is_platform()) or (merchant_id = (select weiquan_merchant_id()))`;
    this.addSql(`alter table "audit_entry" enable row level security;`);
    this.addSql(`create policy tenant_isolation on "audit_entry" to weiquan_app using (${rule}) with check (${rule});`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_entry" cascade;`);
  }

}
