import { Migration } from '@mikro-orm/migrations';

/** Force-majeure reports, each merchant's own under row-level security. */
export class Migration20261127215756 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "force_majeure_report" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "merchant_id" uuid not null, "region" text check ("region" in ('BEIJING', 'TIANJIN', 'HEBEI', 'SHANXI', 'INNER_MONGOLIA', 'LIAONING', 'JILIN', 'HEILONGJIANG', 'SHANGHAI', 'JIANGSU', 'ZHEJIANG', 'ANHUI', 'FUJIAN', 'JIANGXI', 'SHANDONG', 'HENAN', 'HUBEI', 'HUNAN', 'GUANGDONG', 'GUANGXI', 'HAINAN', 'CHONGQING', 'SICHUAN', 'GUIZHOU', 'YUNNAN', 'TIBET', 'SHAANXI', 'GANSU', 'QINGHAI', 'NINGXIA', 'XINJIANG', 'HONG_KONG', 'MACAU', 'TAIWAN')) not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "reason" text not null, "actor" varchar(200) not null, constraint "force_majeure_report_pkey" primary key ("id"));`);
    this.addSql(`create index "force_majeure_report_merchant_id_ends_at_index" on "force_majeure_report" ("merchant_id", "ends_at");`);

    this.addSql(`alter table "force_majeure_report" add constraint "force_majeure_report_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);

    const rule = `(select weiquan_is_platform()) or (merchant_id = (select weiquan_merchant_id()))`;
    this.addSql(`alter table "force_majeure_report" enable row level security;`);
    this.addSql(`create policy tenant_isolation on "force_majeure_report" to weiquan_app using (${rule}) with check (${rule});`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "force_majeure_report" cascade;`);
  }

}
