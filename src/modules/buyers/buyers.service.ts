import type { EntityManager } from '@mikro-orm/postgresql';
import { requireLocalId } from '../../graphql/ids';
import { runMutation } from '../../db/transaction';
import type { RequestContext } from '../../server/context';
import { Buyer } from './buyer.entity';
import { flagColumns } from './buyers.rules';
import type { UpsertBuyerInput } from './buyers.types';

export const buyersService = {
  byId(ctx: RequestContext, globalId: string): Promise<Buyer | null> {
    return ctx.loaders.buyers.byId.load(requireLocalId('Buyer', globalId, 'id'));
  },

  load(ctx: RequestContext, id: string): Promise<Buyer | null> {
    return ctx.loaders.buyers.byId.load(id);
  },

  findByIds(em: EntityManager, ids: string[]): Promise<Buyer[]> {
    return em.find(Buyer, { id: { $in: ids } });
  },

  upsert(ctx: RequestContext, input: UpsertBuyerInput) {
    return runMutation(ctx, async (em) => {
      const values = { nickname: input.nickname, ...flagColumns(input.flags) };
      const existing = await em.findOne(Buyer, { externalId: input.externalId });
      if (existing) {
        em.assign(existing, values);
        return { buyer: existing, created: false };
      }
      return { buyer: em.create(Buyer, { externalId: input.externalId, ...values }), created: true };
    });
  },
};
