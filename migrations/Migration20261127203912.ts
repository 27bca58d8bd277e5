import { Migration } from '@mikro-orm/migrations';

/** Days of the breaker counters are calendar days in China Standard Time, like the ledger's months. */
const DAY = `(o.paid_at at time zone 'Asia/Shanghai')::date`;

/**
 * After-sales cases with their history, evidence and messages; the refund-only counters of the
 * circuit breakers, filled from the orders already stored; tenant isolation for all of them.
 */
export class Migration20261127203912 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "after_sales_case" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "platform" text check ("platform" in ('PINDUODUO', 'DOUYIN', 'ALIBABA_1688', 'TAOBAO', 'TMALL')) not null, "external_number" varchar(64) not null, "order_id" uuid not null, "merchant_id" uuid not null, "buyer_id" uuid not null, "product_id" uuid not null, "type" text check ("type" in ('REFUND_ONLY', 'RETURN_REFUND', 'EXCHANGE')) not null, "reason" text check ("reason" in ('QUALITY', 'MINOR_DEFECT', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'LOGISTICS', 'CHANGED_MIND', 'NOT_RECEIVED')) not null, "after_receipt" boolean not null, "requested_amount" bigint not null, "official_pickup" boolean not null, "status" text check ("status" in ('OPENED', 'NEGOTIATING', 'INTERVENTION_REQUESTED', 'UNDER_REVIEW', 'RULED', 'CLOSED', 'WITHDRAWN')) not null, "ruling" text check ("ruling" in ('REFUND_FULL', 'REFUND_PARTIAL', 'REJECTED')) null, "refund_amount" bigint null, "decision" jsonb null, "intervene_after" timestamptz null, "opened_at" timestamptz not null, "ruled_at" timestamptz null, "ruling_reason" text null, "content_hash" varchar(64) not null, constraint "after_sales_case_pkey" primary key ("id"), constraint after_sales_case_amounts check (requested_amount > 0 and coalesce(refund_amount, 0) >= 0));`);
    this.addSql(`create index "after_sales_case_buyer_id_index" on "after_sales_case" ("buyer_id");`);
    this.addSql(`create index "after_sales_case_product_id_index" on "after_sales_case" ("product_id");`);
    this.addSql(`create index "after_sales_case_order_id_type_status_index" on "after_sales_case" ("order_id", "type", "status");`);
    this.addSql(`create index "after_sales_case_merchant_id_opened_at_id_index" on "after_sales_case" ("merchant_id", "opened_at", "id");`);
    this.addSql(`alter table "after_sales_case" add constraint "after_sales_case_platform_external_number_unique" unique ("platform", "external_number");`);

    this.addSql(`create table "after_sales_case_status_change" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "actor" varchar(200) not null, "reason" text not null, "changed_at" timestamptz not null, "case_id" uuid not null, "from_status" text check ("from_status" in ('OPENED', 'NEGOTIATING', 'INTERVENTION_REQUESTED', 'UNDER_REVIEW', 'RULED', 'CLOSED', 'WITHDRAWN')) null, "to_status" text check ("to_status" in ('OPENED', 'NEGOTIATING', 'INTERVENTION_REQUESTED', 'UNDER_REVIEW', 'RULED', 'CLOSED', 'WITHDRAWN')) not null, constraint "after_sales_case_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "after_sales_case_status_change_case_id_created_at_index" on "after_sales_case_status_change" ("case_id", "created_at");`);

    this.addSql(`create table "case_message" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "author" text check ("author" in ('BUYER', 'MERCHANT', 'PLATFORM')) not null, "body" text not null, "actor" varchar(200) not null, "sent_at" timestamptz not null, constraint "case_message_pkey" primary key ("id"));`);
    this.addSql(`create index "case_message_case_id_sent_at_index" on "case_message" ("case_id", "sent_at");`);

    this.addSql(`create table "case_evidence" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "kind" text check ("kind" in ('PHOTO', 'VIDEO', 'DESCRIPTION', 'LOGISTICS_RECORD', 'CHAT_LOG')) not null, "url" varchar(2000) null, "text" text null, "supplied_by" text check ("supplied_by" in ('BUYER', 'MERCHANT', 'PLATFORM')) not null, "actor" varchar(200) not null, "supplied_at" timestamptz not null, constraint "case_evidence_pkey" primary key ("id"), constraint case_evidence_has_content check (url is not null or text is not null));`);
    this.addSql(`create index "case_evidence_case_id_supplied_at_index" on "case_evidence" ("case_id", "supplied_at");`);

    this.addSql(`create table "refund_only_tally" ("subject" text check ("subject" in ('BUYER', 'MERCHANT', 'PRODUCT')) not null, "subject_id" uuid not null, "day" date not null, "merchant_id" uuid null, "orders" int not null default 0, "refund_only" int not null default 0, constraint "refund_only_tally_pkey" primary key ("subject", "subject_id", "day"));`);

    this.addSql(`alter table "after_sales_case" add constraint "after_sales_case_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade;`);
    this.addSql(`alter table "after_sales_case" add constraint "after_sales_case_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);
    this.addSql(`alter table "after_sales_case" add constraint "after_sales_case_buyer_id_foreign" foreign key ("buyer_id") references "buyer" ("id") on update cascade;`);
    this.addSql(`alter table "after_sales_case" add constraint "after_sales_case_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade;`);

    this.addSql(`alter table "after_sales_case_status_change" add constraint "after_sales_case_status_change_case_id_foreign" foreign key ("case_id") references "after_sales_case" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "case_message" add constraint "case_message_case_id_foreign" foreign key ("case_id") references "after_sales_case" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "case_evidence" add constraint "case_evidence_case_id_foreign" foreign key ("case_id") references "after_sales_case" ("id") on update cascade on delete cascade;`);

    // At most one open case of a type per order, whatever the concurrency.
    this.addSql(`create unique index "after_sales_case_one_open_per_type" on "after_sales_case" ("order_id", "type") where status not in ('RULED', 'CLOSED', 'WITHDRAWN');`);

    this.addSql(`insert into refund_only_tally (subject, subject_id, day, merchant_id, orders, refund_only)
      select 'MERCHANT', o.merchant_id, ${DAY}, o.merchant_id, count(*), 0 from "order" o group by 2, 3
      union all
      select 'BUYER', o.buyer_id, ${DAY}, null, count(*), 0 from "order" o group by 2, 3
      union all
      select 'PRODUCT', l.product_id, ${DAY}, min(o.merchant_id::text)::uuid, count(distinct o.id), 0
        from order_line l join "order" o on o.id = l.order_id group by 2, 3;`);

    const own: Record<string, string> = {
      after_sales_case: `merchant_id = (select weiquan_merchant_id())`,
      after_sales_case_status_change: `exists (select 1 from after_sales_case c where c.id = case_id)`,
      case_evidence: `exists (select 1 from after_sales_case c where c.id = case_id)`,
      case_message: `exists (select 1 from after_sales_case c where c.id = case_id)`,
      // A buyer's counters are shown to the merchants it bought from.
      refund_only_tally: `merchant_id = (select weiquan_merchant_id())
        or (subject = 'BUYER' and exists (select 1 from "order" o where o.buyer_id = subject_id))`,
    };
    for (const [table, rule] of Object.entries(own)) {
      const using = `(select weiquan_is_platform()) or (${rule})`;
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy tenant_isolation on "${table}" to weiquan_app using (${using}) with check (${using});`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "after_sales_case_status_change" drop constraint "after_sales_case_status_change_case_id_foreign";`);

    this.addSql(`alter table "case_message" drop constraint "case_message_case_id_foreign";`);

    this.addSql(`alter table "case_evidence" drop constraint "case_evidence_case_id_foreign";`);

    this.addSql(`drop table if exists "after_sales_case" cascade;`);

    this.addSql(`drop table if exists "after_sales_case_status_change" cascade;`);

    this.addSql(`drop table if exists "case_message" cascade;`);

    this.addSql(`drop table if exists "case_evidence" cascade;`);

    this.addSql(`drop table if exists "refund_only_tally" cascade;`);
  }

}
