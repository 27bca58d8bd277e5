import { Migration } from '@mikro-orm/migrations';

/**
 * Tenant isolation in the database. The application's statements run as `weiquan_app` (a role that
 * owns nothing and cannot bypass row-level security) with the actor's tenant in two transaction-local
 * settings: `app.scope` = 'platform' for staff and service roles, `app.merchant_id` for a merchant.
 * Every policy fails closed: with neither set, no row is visible and none can be written.
 */
export class Migration20261127011500 extends Migration {
  override async up(): Promise<void> {
    // Roles belong to the cluster, not the database: create it once, whoever migrates first.
    this.addSql(`do $$ begin
      if not exists (select from pg_roles where rolname = 'weiquan_app') then
        create role weiquan_app nologin nosuperuser nobypassrls;
      end if;
    end $$;`);
    // The migrating (owning) role must be able to switch to it; a superuser can anyway.
    this.addSql(`do $$ begin
      if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant weiquan_app to %I', current_user);
      end if;
    end $$;`);
    this.addSql(`grant usage on schema public to weiquan_app;`);
    this.addSql(`grant select, insert, update, delete on all tables in schema public to weiquan_app;`);
    this.addSql(`revoke all on mikro_orm_migrations from weiquan_app;`);
    // Tables added by later migrations are granted the same way.
    this.addSql(`alter default privileges in schema public grant select, insert, update, delete on tables to weiquan_app;`);

    this.addSql(`create function weiquan_is_platform() returns boolean language sql stable
      as $$ select coalesce(current_setting('app.scope', true), '') = 'platform' $$;`);
    this.addSql(`create function weiquan_merchant_id() returns uuid language sql stable
      as $$ select nullif(current_setting('app.merchant_id', true), '')::uuid $$;`);

    const policies: Record<string, string> = {
      merchant: `id = weiquan_merchant_id()`,
      merchant_status_change: `merchant_id = weiquan_merchant_id()`,
      product: `merchant_id = weiquan_merchant_id()`,
      product_price: `exists (select 1 from product p where p.id = product_id)`,
      order: `merchant_id = weiquan_merchant_id()`,
      order_line: `exists (select 1 from "order" o where o.id = order_id)`,
      order_status_change: `exists (select 1 from "order" o where o.id = order_id)`,
      // A merchant sees the buyers of its own orders, nobody else.
      buyer: `exists (select 1 from "order" o where o.buyer_id = buyer.id)`,
    };
    for (const [table, own] of Object.entries(policies)) {
      // The subqueries above read tables that have policies of their own, so they see only the
      // tenant's rows too.
      const rule = `weiquan_is_platform() or (${own})`;
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy tenant_isolation on "${table}" to weiquan_app using (${rule}) with check (${rule});`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['merchant', 'merchant_status_change', 'product', 'product_price', 'order', 'order_line', 'order_status_change', 'buyer']) {
      this.addSql(`drop policy if exists tenant_isolation on "${table}";`);
      this.addSql(`alter table "${table}" disable row level security;`);
    }
    this.addSql(`drop function if exists weiquan_merchant_id();`);
    this.addSql(`drop function if exists weiquan_is_platform();`);
    this.addSql(`alter default privileges in schema public revoke select, insert, update, delete on tables from weiquan_app;`);
    this.addSql(`revoke all on all tables in schema public from weiquan_app;`);
    this.addSql(`revoke usage on schema public from weiquan_app;`);
  }
}
