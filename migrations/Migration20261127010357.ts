import { Migration } from '@mikro-orm/migrations';

export class Migration20261127010357 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "buyer" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "external_id" varchar(64) not null, "nickname" varchar(100) not null, "super_buyer" boolean not null default false, "malicious" boolean not null default false, constraint "buyer_pkey" primary key ("id"));`);
    this.addSql(`alter table "buyer" add constraint "buyer_external_id_unique" unique ("external_id");`);
    this.addSql(`create index "buyer_malicious_index" on "buyer" ("malicious");`);

    this.addSql(`create table "merchant" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "external_id" varchar(64) not null, "name" varchar(200) not null, "tier" text check ("tier" in ('STANDARD', 'SMALL', 'NEW_QUALITY', 'STRENGTH', 'SUPER_FACTORY')) not null, "status" text check ("status" in ('ACTIVE', 'WARNED', 'RESTRICTED', 'CLEARED')) not null default 'ACTIVE', "main_category" varchar(100) not null, "region" text check ("region" in ('BEIJING', 'TIANJIN', 'HEBEI', 'SHANXI', 'INNER_MONGOLIA', 'LIAONING', 'JILIN', 'HEILONGJIANG', 'SHANGHAI', 'JIANGSU', 'ZHEJIANG', 'ANHUI', 'FUJIAN', 'JIANGXI', 'SHANDONG', 'HENAN', 'HUBEI', 'HUNAN', 'GUANGDONG', 'GUANGXI', 'HAINAN', 'CHONGQING', 'SICHUAN', 'GUIZHOU', 'YUNNAN', 'TIBET', 'SHAANXI', 'GANSU', 'QINGHAI', 'NINGXIA', 'XINJIANG', 'HONG_KONG', 'MACAU', 'TAIWAN')) not null, "deposit" bigint not null default 0, constraint "merchant_pkey" primary key ("id"), constraint merchant_deposit_non_negative check (deposit >= 0));`);
    this.addSql(`alter table "merchant" add constraint "merchant_external_id_unique" unique ("external_id");`);
    this.addSql(`create index "merchant_tier_index" on "merchant" ("tier");`);
    this.addSql(`create index "merchant_status_index" on "merchant" ("status");`);
    this.addSql(`create index "merchant_main_category_index" on "merchant" ("main_category");`);
    this.addSql(`create index "merchant_region_index" on "merchant" ("region");`);
    this.addSql(`create index "merchant_created_at_id_index" on "merchant" ("created_at", "id");`);
    this.addSql(`create index "merchant_name_id_index" on "merchant" ("name", "id");`);

    this.addSql(`create table "merchant_status_change" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "merchant_id" uuid not null, "from_status" text check ("from_status" in ('ACTIVE', 'WARNED', 'RESTRICTED', 'CLEARED')) null, "to_status" text check ("to_status" in ('ACTIVE', 'WARNED', 'RESTRICTED', 'CLEARED')) not null, "actor" varchar(200) not null, "reason" text not null, "changed_at" timestamptz not null, constraint "merchant_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "merchant_status_change_merchant_id_index" on "merchant_status_change" ("merchant_id");`);

    this.addSql(`create table "order" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "platform" text check ("platform" in ('PINDUODUO', 'DOUYIN', 'ALIBABA_1688', 'TAOBAO', 'TMALL')) not null, "external_number" varchar(64) not null, "merchant_id" uuid not null, "buyer_id" uuid not null, "status" text check ("status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED')) not null, "paid_amount" bigint not null, "shipping_fee" bigint not null, "destination_region" text check ("destination_region" in ('BEIJING', 'TIANJIN', 'HEBEI', 'SHANXI', 'INNER_MONGOLIA', 'LIAONING', 'JILIN', 'HEILONGJIANG', 'SHANGHAI', 'JIANGSU', 'ZHEJIANG', 'ANHUI', 'FUJIAN', 'JIANGXI', 'SHANDONG', 'HENAN', 'HUBEI', 'HUNAN', 'GUANGDONG', 'GUANGXI', 'HAINAN', 'CHONGQING', 'SICHUAN', 'GUIZHOU', 'YUNNAN', 'TIBET', 'SHAANXI', 'GANSU', 'QINGHAI', 'NINGXIA', 'XINJIANG', 'HONG_KONG', 'MACAU', 'TAIWAN')) not null, "remote_region" boolean not null, "promoted" boolean not null, "promotion_fee" bigint not null, "custom" boolean not null, "hosted" boolean not null, "paid_at" timestamptz not null, "ship_by" timestamptz not null, "shipped_at" timestamptz null, "delivered_at" timestamptz null, "completed_at" timestamptz null, "cancelled_at" timestamptz null, "refunded_at" timestamptz null, "content_hash" varchar(64) not null, constraint "order_pkey" primary key ("id"), constraint order_amounts_non_negative check (paid_amount >= 0 and shipping_fee >= 0 and promotion_fee >= 0));`);
    this.addSql(`create index "order_status_index" on "order" ("status");`);
    this.addSql(`create index "order_destination_region_index" on "order" ("destination_region");`);
    this.addSql(`create index "order_paid_amount_id_index" on "order" ("paid_amount", "id");`);
    this.addSql(`create index "order_paid_at_id_index" on "order" ("paid_at", "id");`);
    this.addSql(`create index "order_buyer_id_paid_at_id_index" on "order" ("buyer_id", "paid_at", "id");`);
    this.addSql(`create index "order_merchant_id_paid_at_id_index" on "order" ("merchant_id", "paid_at", "id");`);
    this.addSql(`alter table "order" add constraint "order_platform_external_number_unique" unique ("platform", "external_number");`);

    this.addSql(`create table "order_status_change" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "order_id" uuid not null, "from_status" text check ("from_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED')) null, "to_status" text check ("to_status" in ('PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'REFUNDED')) not null, "actor" varchar(200) not null, "reason" text not null, "changed_at" timestamptz not null, constraint "order_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "order_status_change_order_id_created_at_index" on "order_status_change" ("order_id", "created_at");`);

    this.addSql(`create table "product" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "merchant_id" uuid not null, "external_id" varchar(64) not null, "title" varchar(200) not null, "category" varchar(100) not null, "current_price" bigint not null, constraint "product_pkey" primary key ("id"), constraint product_price_non_negative check (current_price >= 0));`);
    this.addSql(`create index "product_category_index" on "product" ("category");`);
    this.addSql(`create index "product_merchant_id_created_at_id_index" on "product" ("merchant_id", "created_at", "id");`);
    this.addSql(`alter table "product" add constraint "product_merchant_id_external_id_unique" unique ("merchant_id", "external_id");`);

    this.addSql(`create table "order_line" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "order_id" uuid not null, "line_no" int not null, "product_id" uuid not null, "quantity" int not null, "unit_price" bigint not null, constraint "order_line_pkey" primary key ("id"), constraint order_line_positive check (quantity > 0 and unit_price >= 0));`);
    this.addSql(`create index "order_line_product_id_index" on "order_line" ("product_id");`);
    this.addSql(`alter table "order_line" add constraint "order_line_order_id_line_no_unique" unique ("order_id", "line_no");`);

    this.addSql(`create table "product_price" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "product_id" uuid not null, "price" bigint not null, "effective_from" timestamptz not null, constraint "product_price_pkey" primary key ("id"));`);
    this.addSql(`create index "product_price_product_id_effective_from_index" on "product_price" ("product_id", "effective_from");`);

    this.addSql(`alter table "merchant_status_change" add constraint "merchant_status_change_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "order" add constraint "order_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);
    this.addSql(`alter table "order" add constraint "order_buyer_id_foreign" foreign key ("buyer_id") references "buyer" ("id") on update cascade;`);

    this.addSql(`alter table "order_status_change" add constraint "order_status_change_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "product" add constraint "product_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);

    this.addSql(`alter table "order_line" add constraint "order_line_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "order_line" add constraint "order_line_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade;`);

    this.addSql(`alter table "product_price" add constraint "product_price_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete cascade;`);
  }

}
