import { Migration } from '@mikro-orm/migrations';

/**
 * Versioned policy numbers, append-only, with version 1 holding the DOMAIN.md defaults. The numbers are
 * written out here, frozen like the rest of the migration; a test checks they equal
 * DEFAULT_POLICY_NUMBERS.
 */
const VERSION_1 = {
  "shipWithinHours": 48,
  "remoteRegions": [
    "XINJIANG",
    "TIBET",
    "QINGHAI",
    "GANSU",
    "NINGXIA",
    "INNER_MONGOLIA"
  ],
  "reply": {
    "withinMinutes": 3,
    "minRateBp": 8000
  },
  "refundOnly": {
    "autonomyMinExperienceScore": 48,
    "interventionDelayHours": 48,
    "platformInterventionCap": 20000,
    "circuitBreaker": {
      "windowDays": 30,
      "buyerRateBp": 3000,
      "merchantRateBp": 1000,
      "productRateBp": 1500,
      "buyerMinSample": 5,
      "merchantMinSample": 50,
      "productMinSample": 20
    }
  },
  "highRepurchase": {
    "windowDays": 90,
    "minBuyers": 20,
    "repeatBuyerRateBp": 3000,
    "refundOnlySubsidyMonthlyCap": 50000,
    "lateShipmentMonthlyCap": 30000
  },
  "returnShipping": {
    "standardCap": 2500,
    "largeOrderCap": 5000,
    "largeOrderMinPaid": 100000,
    "largeOrderTiers": [
      "STRENGTH",
      "SUPER_FACTORY"
    ],
    "superBuyerCap": 20000
  },
  "disputeCompensation": {
    "rateBp": 500,
    "cap": 300000
  },
  "transitLossCap": 5000000,
  "techServiceFee": {
    "rateBp": 60,
    "cap": 1800
  },
  "priceErrorCompensation": 500,
  "smallMerchantCouponCap": 600000,
  "growthIncentive": {
    "baseRateBp": 100,
    "sprintMultiplier": 3
  },
  "lowPriceWarning": {
    "windowDays": 90,
    "belowMedianBp": 5000
  },
  "appealSla": {
    "standardHours": 72,
    "greenChannelHours": 24
  },
  "topBandMinExperienceScore": 48
};

export class Migration20261127012336 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "policy_version" ("version" int not null, "effective_from" timestamptz not null, "numbers" jsonb not null, "note" text not null, "published_by" varchar(200) not null, "published_at" timestamptz not null, constraint "policy_version_pkey" primary key ("version"));`);
    this.addSql(`create index "policy_version_effective_from_version_index" on "policy_version" ("effective_from", "version");`);

    // Versions are never edited: a correction is a new version.
    this.addSql(`create function weiquan_append_only() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', tg_table_name using errcode = 'restrict_violation'; end $$;`);
    this.addSql(`create trigger policy_version_append_only before update or delete on "policy_version"
      for each row execute function weiquan_append_only();`);
    this.addSql(`revoke update, delete on "policy_version" from weiquan_app;`);

    this.addSql(
      `insert into "policy_version" ("version", "effective_from", "numbers", "note", "published_by", "published_at")
       values (1, '1970-01-01T00:00:00Z', '${JSON.stringify(VERSION_1)}'::jsonb,
               'Defaults of the merchant-rights programmes (DOMAIN.md)', 'system', now());`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "policy_version" cascade;`);
    this.addSql(`drop function if exists weiquan_append_only();`);
  }
}
