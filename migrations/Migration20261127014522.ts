import { Migration } from '@mikro-orm/migrations';

export class Migration20261127014522 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "buyer_risk" ("buyer_id" uuid not null, "score" int not null, "level" text check ("level" in ('LOW', 'MEDIUM', 'HIGH')) not null, "reasons" jsonb not null, "computed_at" timestamptz not null, constraint "buyer_risk_pkey" primary key ("buyer_id"));`);

    this.addSql(`create table "merchant_score" ("merchant_id" uuid not null, "experience" int not null, "integrity" int not null, "band" text check ("band" in ('TOP', 'HIGH', 'MEDIUM', 'LOW')) not null, "computed_at" timestamptz not null, constraint "merchant_score_pkey" primary key ("merchant_id"));`);

    this.addSql(`create table "product_score" ("product_id" uuid not null, "experience" int not null, "computed_at" timestamptz not null, constraint "product_score_pkey" primary key ("product_id"));`);

    this.addSql(`create table "score_event" ("id" uuid not null, "factor" text check ("factor" in ('SHIPPED_ON_TIME', 'SHIPPED_LATE', 'REPLY_RATE_MET', 'REPLY_RATE_MISSED', 'COMPLAINT', 'AFTER_SALES_MERCHANT_AT_FAULT', 'AFTER_SALES_NOT_AT_FAULT', 'APPEAL_UPHELD', 'APPEAL_REJECTED', 'REPEAT_PURCHASE', 'MANUAL_ADJUSTMENT', 'REFUND_ONLY_REQUESTED', 'CLAIM_REJECTED')) not null, "merchant_id" uuid null, "product_id" uuid null, "buyer_id" uuid null, "order_id" uuid null, "case_id" uuid null, "appeal_id" uuid null, "experience_delta" int not null, "integrity_delta" int not null, "product_delta" int not null, "count_delta" int not null, "policy_version" int not null, "voids_id" uuid null, "occurred_at" timestamptz not null, "reason" text not null, "actor" varchar(200) not null, "created_at" timestamptz not null, constraint "score_event_pkey" primary key ("id"));`);
    this.addSql(`create index "score_event_order_id_index" on "score_event" ("order_id");`);
    this.addSql(`alter table "score_event" add constraint "score_event_voids_id_unique" unique ("voids_id");`);
    this.addSql(`create index "score_event_merchant_id_created_at_id_index" on "score_event" ("merchant_id", "created_at", "id");`);
    this.addSql(`create index "score_event_product_id_occurred_at_index" on "score_event" ("product_id", "occurred_at");`);
    this.addSql(`create index "score_event_buyer_id_occurred_at_index" on "score_event" ("buyer_id", "occurred_at");`);
    this.addSql(`create index "score_event_merchant_id_occurred_at_index" on "score_event" ("merchant_id", "occurred_at");`);

    this.addSql(`alter table "buyer_risk" add constraint "buyer_risk_buyer_id_foreign" foreign key ("buyer_id") references "buyer" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "merchant_score" add constraint "merchant_score_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "product_score" add constraint "product_score_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "score_event" add constraint "score_event_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "score_event" add constraint "score_event_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "score_event" add constraint "score_event_buyer_id_foreign" foreign key ("buyer_id") references "buyer" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "score_event" add constraint "score_event_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "score_event" add constraint "score_event_policy_version_foreign" foreign key ("policy_version") references "policy_version" ("version") on update cascade;`);
    this.addSql(`alter table "score_event" add constraint "score_event_voids_id_foreign" foreign key ("voids_id") references "score_event" ("id") on update cascade on delete set null;`);
    // Score events are append-only (a void is a new event); the current scores are derived from them.
    this.addSql(`create trigger score_event_append_only before update or delete on "score_event"
      for each row execute function weiquan_append_only();`);
    this.addSql(`revoke update, delete on "score_event" from weiquan_app;`);

    const policies: Record<string, string> = {
      score_event: `merchant_id = weiquan_merchant_id()`,
      merchant_score: `merchant_id = weiquan_merchant_id()`,
      product_score: `exists (select 1 from product p where p.id = product_id)`,
      // A merchant sees the risk of the buyers of its own orders.
      buyer_risk: `exists (select 1 from "order" o where o.buyer_id = buyer_risk.buyer_id)`,
    };
    for (const [table, own] of Object.entries(policies)) {
      const rule = `weiquan_is_platform() or (${own})`;
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy tenant_isolation on "${table}" to weiquan_app using (${rule}) with check (${rule});`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "score_event" drop constraint "score_event_voids_id_foreign";`);

    this.addSql(`drop table if exists "buyer_risk" cascade;`);

    this.addSql(`drop table if exists "merchant_score" cascade;`);

    this.addSql(`drop table if exists "product_score" cascade;`);

    this.addSql(`drop table if exists "score_event" cascade;`);
  }

}
