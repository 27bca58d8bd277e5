import { Migration } from '@mikro-orm/migrations';

/** Warnings to merchants, each merchant's own under row-level security. */
export class Migration20261127210146 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "warning" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "kind" text check ("kind" in ('LOW_PRICE', 'ABNORMAL_ORDER')) not null, "merchant_id" uuid not null, "product_id" uuid null, "order_id" uuid null, "status" text check ("status" in ('OPEN', 'ACKNOWLEDGED')) not null, "message" text not null, "held_price" bigint null, "median_price" bigint null, "policy_version" int not null, "raised_at" timestamptz not null, "acknowledged_at" timestamptz null, "acknowledged_by" varchar(200) null, constraint "warning_pkey" primary key ("id"));`);
    this.addSql(`create index "warning_product_id_index" on "warning" ("product_id");`);
    this.addSql(`create index "warning_order_id_index" on "warning" ("order_id");`);
    this.addSql(`create index "warning_merchant_id_raised_at_id_index" on "warning" ("merchant_id", "raised_at", "id");`);

    this.addSql(`alter table "warning" add constraint "warning_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);
    this.addSql(`alter table "warning" add constraint "warning_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "warning" add constraint "warning_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete set null;`);

    const rule = `(select weiquan_is_platform()) or (merchant_id = (select weiquan_merchant_id()))`;
    this.addSql(`alter table "warning" enable row level security;`);
    this.addSql(`create policy tenant_isolation on "warning" to weiquan_app using (${rule}) with check (${rule});`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "warning" cascade;`);
  }

}
