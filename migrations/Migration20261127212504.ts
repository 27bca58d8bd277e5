import { Migration } from '@mikro-orm/migrations';

/** Appeals with their history and evidence, each merchant's own under row-level security. */
export class Migration20261127212504 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "appeal" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "merchant_id" uuid not null, "kind" text check ("kind" in ('ABNORMAL_ORDER', 'MALICIOUS_COMPLAINT', 'NEGATIVE_EXPERIENCE', 'AFTER_SALES_RULING', 'SCORE_DEDUCTION', 'PENALTY', 'FORCE_MAJEURE_REPORT')) not null, "subject_type" text check ("subject_type" in ('ORDER', 'AFTER_SALES_CASE', 'SCORE_EVENT', 'MERCHANT_STATUS_CHANGE')) not null, "subject_id" uuid not null, "order_id" uuid null, "statement" text not null, "status" text check ("status" in ('SUBMITTED', 'UNDER_REVIEW', 'NEEDS_EVIDENCE', 'UPHELD', 'REJECTED', 'WITHDRAWN')) not null, "channel" text check ("channel" in ('STANDARD', 'GREEN')) not null, "submitted_at" timestamptz not null, "review_due_at" timestamptz not null, "evidence_due_at" timestamptz null, "assignee" varchar(200) null, "decision_reason" text null, "decision_clause" varchar(200) null, "compensation" bigint null, "policy_version" int null, "decided_at" timestamptz null, constraint "appeal_pkey" primary key ("id"));`);
    this.addSql(`create unique index "appeal_one_open_per_subject" on "appeal" ("subject_type", "subject_id") where status not in ('UPHELD', 'REJECTED', 'WITHDRAWN');`);
    this.addSql(`create index "appeal_review_due_at_id_index" on "appeal" ("review_due_at", "id");`);
    this.addSql(`create index "appeal_merchant_id_submitted_at_id_index" on "appeal" ("merchant_id", "submitted_at", "id");`);

    this.addSql(`create table "appeal_status_change" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "actor" varchar(200) not null, "reason" text not null, "changed_at" timestamptz not null, "appeal_id" uuid not null, "from_status" text check ("from_status" in ('SUBMITTED', 'UNDER_REVIEW', 'NEEDS_EVIDENCE', 'UPHELD', 'REJECTED', 'WITHDRAWN')) null, "to_status" text check ("to_status" in ('SUBMITTED', 'UNDER_REVIEW', 'NEEDS_EVIDENCE', 'UPHELD', 'REJECTED', 'WITHDRAWN')) not null, constraint "appeal_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "appeal_status_change_appeal_id_created_at_index" on "appeal_status_change" ("appeal_id", "created_at");`);

    this.addSql(`create table "appeal_evidence" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "appeal_id" uuid not null, "kind" text check ("kind" in ('PHOTO', 'VIDEO', 'DESCRIPTION', 'LOGISTICS_RECORD', 'CHAT_LOG')) not null, "url" varchar(2000) null, "text" text null, "actor" varchar(200) not null, "supplied_at" timestamptz not null, constraint "appeal_evidence_pkey" primary key ("id"));`);
    this.addSql(`create index "appeal_evidence_appeal_id_supplied_at_index" on "appeal_evidence" ("appeal_id", "supplied_at");`);

    this.addSql(`alter table "appeal" add constraint "appeal_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade;`);

    this.addSql(`alter table "appeal_status_change" add constraint "appeal_status_change_appeal_id_foreign" foreign key ("appeal_id") references "appeal" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "appeal_evidence" add constraint "appeal_evidence_appeal_id_foreign" foreign key ("appeal_id") references "appeal" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ledger_transaction" drop constraint if exists "ledger_transaction_kind_check";`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_kind_check" check("kind" in ('RETURN_SHIPPING_SUBSIDY', 'DISPUTE_COMPENSATION', 'TRANSIT_LOSS_COMPENSATION', 'LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY', 'PROMOTION_FEE_REBATE', 'TECH_SERVICE_FEE', 'TECH_SERVICE_FEE_REBATE', 'REMOTE_LOGISTICS_FEE', 'PRICE_ERROR_COMPENSATION', 'BUYER_EXPERIENCE_COUPON', 'APPEAL_COMPENSATION', 'SMALL_MERCHANT_COUPONS', 'GROWTH_INCENTIVE', 'FUND_ALLOCATION', 'REVERSAL'));`);

    const own: Record<string, string> = {
      appeal: `merchant_id = (select weiquan_merchant_id())`,
      appeal_status_change: `exists (select 1 from appeal a where a.id = appeal_id)`,
      appeal_evidence: `exists (select 1 from appeal a where a.id = appeal_id)`,
    };
    for (const [table, rule] of Object.entries(own)) {
      const using = `(select weiquan_is_platform()) or (${rule})`;
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy tenant_isolation on "${table}" to weiquan_app using (${using}) with check (${using});`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "appeal_status_change" drop constraint "appeal_status_change_appeal_id_foreign";`);

    this.addSql(`alter table "appeal_evidence" drop constraint "appeal_evidence_appeal_id_foreign";`);

    this.addSql(`drop table if exists "appeal" cascade;`);

    this.addSql(`drop table if exists "appeal_status_change" cascade;`);

    this.addSql(`drop table if exists "appeal_evidence" cascade;`);

    this.addSql(`alter table "ledger_transaction" drop constraint if exists "ledger_transaction_kind_check";`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_kind_check" check("kind" in ('RETURN_SHIPPING_SUBSIDY', 'DISPUTE_COMPENSATION', 'TRANSIT_LOSS_COMPENSATION', 'LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY', 'PROMOTION_FEE_REBATE', 'TECH_SERVICE_FEE', 'TECH_SERVICE_FEE_REBATE', 'REMOTE_LOGISTICS_FEE', 'PRICE_ERROR_COMPENSATION', 'BUYER_EXPERIENCE_COUPON', 'SMALL_MERCHANT_COUPONS', 'GROWTH_INCENTIVE', 'FUND_ALLOCATION', 'REVERSAL'));`);
  }

}
