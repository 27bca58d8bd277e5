import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type PageArgs, type Page, paginate } from '../../graphql/connection';
import { parseIdInput, requireLocalId } from '../../graphql/ids';
import { UserErrorCode, UserInputFailure, userError, type UserError } from '../../graphql/user-error';
import { runMutation } from '../../db/transaction';
import type { RequestContext } from '../../server/context';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { canChangeMerchantStatus, MERCHANT_STATUS_TRANSITIONS } from './merchants.rules';
import { actorLabel } from '../../security/actor';
import { MERCHANT_TABLE, merchantSort, merchantWhere } from './merchants.query';
import type { MerchantFilter, MerchantSort, SetMerchantStatusInput, UpsertMerchantInput } from './merchants.types';

async function loadForUpdate(em: EntityManager, id: string, field: string[]): Promise<Merchant> {
  const merchant = await em.findOne(Merchant, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!merchant) throw new UserInputFailure([userError(UserErrorCode.NOT_FOUND, 'no such merchant', field)]);
  return merchant;
}

export const merchantsService = {
  async byId(ctx: RequestContext, globalId: string): Promise<Merchant | null> {
    return ctx.loaders.merchants.byId.load(requireLocalId('Merchant', globalId, 'id'));
  },

  list(ctx: RequestContext, args: { filter?: MerchantFilter | null; sort?: MerchantSort | null; page: PageArgs }): Promise<Page<Merchant>> {
    return paginate(ctx.db, Merchant, {
      ...MERCHANT_TABLE,
      where: merchantWhere(args.filter),
      sort: merchantSort(args.sort),
      page: args.page,
    });
  },

  /** For relation fields of other modules (`order.merchant`): batched through the request's loader. */
  load(ctx: RequestContext, id: string): Promise<Merchant | null> {
    return ctx.loaders.merchants.byId.load(id);
  },

  statusHistory(ctx: RequestContext, merchant: Merchant): Promise<MerchantStatusChange[]> {
    return ctx.loaders.merchants.statusHistory.load(merchant.id);
  },

  /** Used by other modules to check a referenced merchant exists. */
  findByIds(em: EntityManager, ids: string[]): Promise<Merchant[]> {
    return em.find(Merchant, { id: { $in: ids } });
  },

  upsert(ctx: RequestContext, input: UpsertMerchantInput) {
    return runMutation(ctx, async (em) => {
      const existing = await em.findOne(Merchant, { externalId: input.externalId });
      const { externalId, name, tier, mainCategory, region, deposit } = input;
      if (existing) {
        em.assign(existing, { name, tier, mainCategory, region, deposit });
        return { merchant: existing, created: false };
      }
      const merchant = em.create(Merchant, { externalId, name, tier, mainCategory, region, deposit });
      em.create(MerchantStatusChange, {
        merchant,
        fromStatus: null,
        toStatus: merchant.status,
        actor: actorLabel(ctx.actor),
        reason: 'merchant registered',
        changedAt: new Date(),
      });
      return { merchant, created: true };
    });
  },

  setStatus(ctx: RequestContext, input: SetMerchantStatusInput) {
    return runMutation(ctx, async (em) => {
      const errors: UserError[] = [];
      const id = parseIdInput('Merchant', input.merchantId, ['input', 'merchantId'], errors);
      if (!id) throw new UserInputFailure(errors);
      const merchant = await loadForUpdate(em, id, ['input', 'merchantId']);
      if (!canChangeMerchantStatus(merchant.status, input.status)) {
        const allowed = MERCHANT_STATUS_TRANSITIONS[merchant.status].join(', ');
        throw new UserInputFailure([
          userError(
            UserErrorCode.ILLEGAL_TRANSITION,
            `a ${merchant.status} merchant cannot become ${input.status}; allowed: ${allowed}`,
            ['input', 'status'],
          ),
        ]);
      }
      em.create(MerchantStatusChange, {
        merchant,
        fromStatus: merchant.status,
        toStatus: input.status,
        actor: actorLabel(ctx.actor),
        reason: input.reason,
        changedAt: new Date(),
      });
      merchant.status = input.status;
      return { merchant };
    });
  },
};
