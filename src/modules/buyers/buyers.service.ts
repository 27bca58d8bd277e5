import type { EntityManager } from '@mikro-orm/postgresql';
import { runMutation, type Session } from '../../db/transaction';
import type { RelationOf } from '../../graphql/loaders';
import type { RequestContext } from '../../server/context';
import { Buyer } from './buyer.entity';
import { flagColumns } from './buyers.rules';
import { BUYER_FIELD_READS, type UpsertBuyerInput } from './buyers.types';

export const buyersService = {
  /** `fields`: the buyer fields the caller will read (null or absent: all); only their columns are fetched. */
  load(ctx: RequestContext, id: string, fields?: ReadonlySet<string> | null): Promise<Buyer | null> {
    return ctx.loaders.buyers.byId(ctx.db.columnsFor(Buyer, fields ?? null, BUYER_FIELD_READS)).load(id);
  },

  /**
   * The buyer a to-one relation of another module's row points at, by that row's id: for a field
   * read ahead, which knows its parent's id but not the key the parent's row holds.
   */
  loadOf(ctx: RequestContext, via: RelationOf, fields?: ReadonlySet<string> | null): Promise<Buyer | null> {
    const columns = ctx.db.columnsFor(Buyer, fields ?? null, BUYER_FIELD_READS);
    return ctx.loaders.buyers.through(ctx.db.relation(via.entity, via.property), columns).load(via.id);
  },

  /** The buyer behind a key the caller's row holds, unread, when only its id is asked for. */
  reference(ctx: RequestContext, id: string): Buyer {
    return ctx.db.reference(Buyer, id);
  },

  /** For other modules' transactions: the buyers that exist among `ids`. */
  findByIds(em: EntityManager, ids: string[]): Promise<Buyer[]> {
    return ids.length ? em.find(Buyer, { id: { $in: ids } }) : Promise.resolve([]);
  },

  upsert(session: Session, input: UpsertBuyerInput) {
    return runMutation(session, async (tx) => {
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
