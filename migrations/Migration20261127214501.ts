import { Migration } from '@mikro-orm/migrations';

export class Migration20261127214501 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "appeal" add column "priority" int not null default 0, add column "escalated" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "appeal" drop column "priority", drop column "escalated";`);
  }

}
