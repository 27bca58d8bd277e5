import type { ServiceContext } from '../../db/session';
import { runMutation } from '../../db/transaction';
import type { Alongside } from '../../graphql/child-connection';
import type { RelationOf } from '../../graphql/loaders';
import { columnsKey } from '../../db/tenant-db';
import { BUYER_TABLE } from './buyers.query';
import { Buyer } from './buyer.entity';
import { flagColumns } from './buyers.rules';
import { BUYER_FIELD_READS, type UpsertBuyerInput } from './buyers.types';

export const buyersService = {
  /** `fields`: the buyer fields the caller will read (null or absent: all); only their columns are fetched. */
  load(ctx: ServiceContext, id: string, fields?: ReadonlySet<string> | null): Promise<Buyer | null> {
    return ctx.loaders.buyers.byId(ctx.db.columnsFor(Buyer, fields ?? null, BUYER_FIELD_READS)).load(id);
  },

  /**
   * The buyer a to-one relation of another module's row points at, by that row's id: for a field
   * read ahead, which knows its parent's id but not the key the parent's row holds.
   */
  loadOf(ctx: ServiceContext, via: RelationOf, fields?: ReadonlySet<string> | null): Promise<Buyer | null> {
    const columns = ctx.db.columnsFor(Buyer, fields ?? null, BUYER_FIELD_READS);
    return ctx.loaders.buyers.through(ctx.db.relation(via.entity, via.property), columns).load(via.id);
  },

  /**
   * The buyers another module's page points at (`key`: its column of buyer ids), read in the page's
   * own message (see `Alongside`) with the columns `fields` need, and handed to the loader that
   * `load` asks with the same fields, so each row's buyer is answered without another message.
   */
  alongside(ctx: ServiceContext, key: string, fields: ReadonlySet<string> | null): Alongside {
    const columns = ctx.db.columnsFor(Buyer, fields, BUYER_FIELD_READS);
    return {
      key,
      spec: BUYER_TABLE,
      columns,
      name: `buyers.by.${key}|${columnsKey(columns)}`,
      receive: (rows) => {
        const loader = ctx.loaders.buyers.byId(columns);
        for (const row of rows) loader.prime(row.id as string, ctx.db.map(Buyer, row));
      },
    };
  },

  /** The buyer behind a key the caller's row holds, unread, when only its id is asked for. */
  reference(ctx: ServiceContext, id: string): Buyer {
    return ctx.db.reference(Buyer, id);
  },

  /** For other modules' transactions: the buyers that exist among `ids`. */
  findByIds(ctx: ServiceContext, ids: string[]): Promise<Buyer[]> {
    return ids.length ? ctx.em.find(Buyer, { id: { $in: ids } }) : Promise.resolve([]);
  },

  upsert(ctx: ServiceContext, input: UpsertBuyerInput) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const values = { nickname: input.nickname, ...flagColumns(input.flags) };
      const existing = await em.findOne(Buyer, { externalId: input.externalId });
      const flagsChanged = existing
        ? existing.malicious !== values.malicious || existing.superBuyer !== values.superBuyer
        : values.malicious || values.superBuyer;
      const buyer = existing
        ? em.assign(existing, values)
        : em.create(Buyer, { externalId: input.externalId, ...values });
      if (flagsChanged) {
        await em.flush();
        await tx.emit({
          type: 'BuyerFlagsChanged',
          buyerId: buyer.id,
          malicious: buyer.malicious,
          superBuyer: buyer.superBuyer,
        });
      }
      return { buyer, created: !existing };
    });
  },
};
