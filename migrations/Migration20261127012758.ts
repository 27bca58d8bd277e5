import { Migration } from '@mikro-orm/migrations';

export class Migration20261127012758 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "ledger_account" ("id" uuid not null, "code" varchar(100) not null, "kind" text check ("kind" in ('PLATFORM_TREASURY', 'FUND', 'FEE_INCOME', 'MERCHANT_CASH', 'MERCHANT_AD', 'BUYER_COMPENSATION', 'LOGISTICS_PAYABLE')) not null, "fund" text check ("fund" in ('SPECIAL_SUBSIDY', 'RESOURCE_PACK')) null, "merchant_id" uuid null, "balance" bigint not null default 0, "created_at" timestamptz not null, constraint "ledger_account_pkey" primary key ("id"), constraint ledger_account_fund_not_overdrawn check (kind <> 'FUND' or balance >= 0));`);
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_code_unique" unique ("code");`);
    this.addSql(`create index "ledger_account_merchant_id_index" on "ledger_account" ("merchant_id");`);

    this.addSql(`create table "ledger_transaction" ("id" uuid not null, "kind" text check ("kind" in ('RETURN_SHIPPING_SUBSIDY', 'DISPUTE_COMPENSATION', 'TRANSIT_LOSS_COMPENSATION', 'LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY', 'PROMOTION_FEE_REBATE', 'TECH_SERVICE_FEE', 'TECH_SERVICE_FEE_REBATE', 'REMOTE_LOGISTICS_FEE', 'PRICE_ERROR_COMPENSATION', 'SMALL_MERCHANT_COUPONS', 'GROWTH_INCENTIVE', 'FUND_ALLOCATION', 'REVERSAL')) not null, "idempotency_key" varchar(200) not null, "request_hash" varchar(64) not null, "amount" bigint not null, "merchant_id" uuid null, "order_id" uuid null, "case_id" uuid null, "appeal_id" uuid null, "period" varchar(7) null, "policy_version" int not null, "reversal_of_id" uuid null, "reason" text not null, "actor" varchar(200) not null, "effective_at" timestamptz not null, "created_at" timestamptz not null, constraint "ledger_transaction_pkey" primary key ("id"));`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_reversal_of_id_unique" unique ("reversal_of_id");`);
    this.addSql(`create index "ledger_transaction_effective_at_id_index" on "ledger_transaction" ("effective_at", "id");`);
    this.addSql(`create index "ledger_transaction_order_id_kind_index" on "ledger_transaction" ("order_id", "kind");`);
    this.addSql(`create index "ledger_transaction_merchant_id_kind_period_index" on "ledger_transaction" ("merchant_id", "kind", "period");`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_kind_idempotency_key_unique" unique ("kind", "idempotency_key");`);

    this.addSql(`create table "ledger_entry" ("id" uuid not null, "transaction_id" uuid not null, "account_id" uuid not null, "amount" bigint not null, constraint "ledger_entry_pkey" primary key ("id"), constraint ledger_entry_not_zero check (amount <> 0));`);
    this.addSql(`create index "ledger_entry_transaction_id_index" on "ledger_entry" ("transaction_id");`);
    this.addSql(`create index "ledger_entry_account_id_index" on "ledger_entry" ("account_id");`);

    this.addSql(`alter table "ledger_account" add constraint "ledger_account_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_merchant_id_foreign" foreign key ("merchant_id") references "merchant" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_policy_version_foreign" foreign key ("policy_version") references "policy_version" ("version") on update cascade;`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_reversal_of_id_foreign" foreign key ("reversal_of_id") references "ledger_transaction" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_transaction_id_foreign" foreign key ("transaction_id") references "ledger_transaction" ("id") on update cascade;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_account_id_foreign" foreign key ("account_id") references "ledger_account" ("id") on update cascade;`);
    // Money is never lost: entries and transactions are append-only, and every transaction's entries
    // sum to zero, checked when it commits (deferred), whoever writes.
    this.addSql(`create trigger ledger_transaction_append_only before update or delete on "ledger_transaction"
      for each row execute function weiquan_append_only();`);
    this.addSql(`create trigger ledger_entry_append_only before update or delete on "ledger_entry"
      for each row execute function weiquan_append_only();`);
    this.addSql(`create function weiquan_ledger_balanced() returns trigger language plpgsql as $$
      declare total bigint; legs int;
      begin
        select coalesce(sum(amount), 0), count(*) into total, legs from ledger_entry where transaction_id = new.transaction_id;
        if total <> 0 or legs < 2 then
          raise exception 'ledger transaction % is unbalanced (sum %, % entries)', new.transaction_id, total, legs
            using errcode = 'check_violation';
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger ledger_entry_balanced after insert on "ledger_entry"
      deferrable initially deferred for each row execute function weiquan_ledger_balanced();`);
    this.addSql(`revoke update, delete on "ledger_transaction", "ledger_entry" from weiquan_app;`);
    this.addSql(`revoke delete on "ledger_account" from weiquan_app;`);

    // A merchant reads its own accounts and the transactions that concern it; platform roles all.
    const policies: Record<string, string> = {
      ledger_account: `merchant_id = weiquan_merchant_id()`,
      ledger_transaction: `merchant_id = weiquan_merchant_id()`,
      ledger_entry: `exists (select 1 from ledger_account a where a.id = account_id)`,
    };
    for (const [table, own] of Object.entries(policies)) {
      const rule = `weiquan_is_platform() or (${own})`;
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy tenant_isolation on "${table}" to weiquan_app using (${rule}) with check (${rule});`);
    }

    // The platform's own accounts exist from the start; merchants' are opened on first use.
    for (const [code, kind, fund] of [
      ['PLATFORM_TREASURY', 'PLATFORM_TREASURY', null],
      ['FEE_INCOME', 'FEE_INCOME', null],
      ['BUYER_COMPENSATION', 'BUYER_COMPENSATION', null],
      ['LOGISTICS_PAYABLE', 'LOGISTICS_PAYABLE', null],
      ['FUND:SPECIAL_SUBSIDY', 'FUND', 'SPECIAL_SUBSIDY'],
      ['FUND:RESOURCE_PACK', 'FUND', 'RESOURCE_PACK'],
    ]) {
      this.addSql(
        `insert into ledger_account (id, code, kind, fund, balance, created_at) values (gen_random_uuid(), '${code}', '${kind}', ${fund ? `'${fund}'` : 'null'}, 0, now());`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_account_id_foreign";`);

    this.addSql(`alter table "ledger_transaction" drop constraint "ledger_transaction_reversal_of_id_foreign";`);

    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_transaction_id_foreign";`);

    this.addSql(`drop table if exists "ledger_account" cascade;`);

    this.addSql(`drop table if exists "ledger_transaction" cascade;`);

    this.addSql(`drop table if exists "ledger_entry" cascade;`);
    this.addSql(`drop function if exists weiquan_ledger_balanced();`);
  }

}
