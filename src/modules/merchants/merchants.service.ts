import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordTransition } from '../../db/status-change.entity';
import { asPlatform, runMutation, type Session, type Tx } from '../../db/transaction';
import type { DomainEventOf } from '../../shared/domain-events';
import { type Page, type PageArgs, paginate } from '../../graphql/connection';
import type { RequestContext } from '../../server/context';
import { MerchantStatus } from '../../shared/enums';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { MERCHANT_TABLE, merchantSort, merchantWhere } from './merchants.query';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { canChangeMerchantStatus, MERCHANT_STATUS_TRANSITIONS, remedyWindowOpenUntil } from './merchants.rules';
import {
  MERCHANT_FIELD_READS,
  type MerchantFilter,
  type MerchantSort,
  type SetMerchantStatusInput,
  type UpsertMerchantInput,
} from './merchants.types';

async function loadForUpdate(em: EntityManager, id: string, field: string[]): Promise<Merchant> {
  const merchant = await em.findOne(Merchant, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!merchant) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such merchant', field)]);
  return merchant;
}

export const merchantsService = {
  list(
    ctx: RequestContext,
    args: { filter?: MerchantFilter | null; sort?: MerchantSort | null; page: PageArgs },
    fields?: ReadonlySet<string> | null,
  ): Promise<Page<Merchant>> {
    return paginate(ctx.db, Merchant, {
      ...MERCHANT_TABLE,
      where: merchantWhere(args.filter),
      sort: merchantSort(args.sort),
      page: args.page,
      filter: args.filter,
      columns: ctx.db.columnsFor(Merchant, fields ?? null, MERCHANT_FIELD_READS),
    });
  },

  /**
   * For `merchant(id)` and relation fields of other modules (`order.merchant`): batched per request.
   * `fields`: the merchant fields the caller will read (null or absent: all); only their columns are fetched.
   */
  load(ctx: RequestContext, id: string, fields?: ReadonlySet<string> | null): Promise<Merchant | null> {
    return ctx.loaders.merchants.byId(ctx.db.columnsFor(Merchant, fields ?? null, MERCHANT_FIELD_READS)).load(id);
  },

  /** The merchant behind a key the caller's row holds, unread, when only its id is asked for. */
  reference(ctx: RequestContext, id: string): Merchant {
    return ctx.db.reference(Merchant, id);
  },

  statusHistory(ctx: RequestContext, merchant: Merchant): Promise<MerchantStatusChange[]> {
    return ctx.loaders.merchants.statusHistory.load(merchant.id);
  },

  /** For other modules' transactions: the merchants that exist among `ids` (row-level security applies). */
  /** For the token script's list: the first merchants by name. */
  firstByName(em: EntityManager, limit: number): Promise<Merchant[]> {
    return em.find(Merchant, {}, { orderBy: { name: 'asc', id: 'asc' }, limit });
  },

  findByIds(em: EntityManager, ids: string[]): Promise<Merchant[]> {
    return ids.length ? em.find(Merchant, { id: { $in: ids } }) : Promise.resolve([]);
  },

  /** For other modules' transactions: the status changes among `ids` the actor may see. */
  findStatusChanges(em: EntityManager, ids: string[]): Promise<MerchantStatusChange[]> {
    return ids.length ? em.find(MerchantStatusChange, { id: { $in: ids } }) : Promise.resolve([]);
  },

  upsert(session: Session, input: UpsertMerchantInput) {
    return runMutation(session, async ({ em, actor }) => {
      const existing = await em.findOne(Merchant, { externalId: input.externalId });
      const { externalId, name, tier, mainCategory, region, deposit } = input;
      if (existing) {
        em.assign(existing, { name, tier, mainCategory, region, deposit });
        return { merchant: existing, created: false };
      }
      const merchant = em.create(Merchant, { externalId, name, tier, mainCategory, region, deposit });
      recordTransition(
        em,
        MerchantStatusChange,
        { key: 'merchant', subject: merchant },
        { to: merchant.status, actor, reason: 'merchant registered', at: new Date() },
        true,
      );
      return { merchant, created: true };
    });
  },

  /**
   * Handles `AppealDecided`: an upheld appeal against a status change reverses it, if the merchant is
   * still in the contested status (the appeal overrides the usual transition table), in the decision's
   * transaction.
   */
  async onAppealsDecided(events: DomainEventOf<'AppealDecided'>[], tx: Tx): Promise<void> {
    for (const decided of events.filter((e) => e.upheld && e.subjectType === 'MERCHANT_STATUS_CHANGE')) {
      await asPlatform(tx, async ({ em }) => {
        const change = await em.findOne(MerchantStatusChange, { id: decided.subjectId });
        if (!change?.fromStatus) return;
        const merchant = await loadForUpdate(em, change.merchant.id, ['input', 'appealId']);
        if (merchant.status !== change.toStatus) return;
        const reason = `appeal upheld: ${decided.reason}`;
        recordTransition(
          em,
          MerchantStatusChange,
          { key: 'merchant', subject: merchant },
          { to: change.fromStatus, actor: tx.actor, reason, at: decided.at },
        );
        await tx.emit({
          type: 'MerchantStatusChanged',
          merchantId: merchant.id,
          from: change.toStatus,
          to: change.fromStatus,
          reason,
          at: decided.at,
        });
      });
    }
  },

  setStatus(session: Session, input: SetMerchantStatusInput & { merchantId: string }) {
    return runMutation(session, async (tx) => {
      const merchant = await loadForUpdate(tx.em, input.merchantId, ['input', 'merchantId']);
      const from = merchant.status;
      if (!canChangeMerchantStatus(from, input.status)) {
        const allowed = MERCHANT_STATUS_TRANSITIONS[from].join(', ');
        throw new Refused([
          refusal(
            RefusalCode.ILLEGAL_TRANSITION,
            `a ${from} merchant cannot become ${input.status}; allowed: ${allowed}`,
            ['input', 'status'],
          ),
        ]);
      }
      const at = new Date();
      const lastWarning = await tx.em.findOne(
        MerchantStatusChange,
        { merchant, toStatus: MerchantStatus.WARNED },
        { orderBy: { changedAt: 'desc' } },
      );
      const { remedyWindowDays } = versionInForce(await policiesService.timelineIn(tx.em), at).numbers.merchantStatus;
      const openUntil = remedyWindowOpenUntil(input.status, lastWarning?.changedAt ?? null, at, remedyWindowDays);
      if (openUntil) {
        throw new Refused([
          refusal(
            RefusalCode.NOT_ELIGIBLE,
            `the merchant was warned on ${lastWarning!.changedAt.toISOString()} and may remedy for ${remedyWindowDays} days: ` +
              `${input.status} is possible from ${openUntil.toISOString()}`,
            ['input', 'status'],
          ),
        ]);
      }
      recordTransition(
        tx.em,
        MerchantStatusChange,
        { key: 'merchant', subject: merchant },
        { to: input.status, actor: tx.actor, reason: input.reason, at },
      );
      await tx.emit({
        type: 'MerchantStatusChanged',
        merchantId: merchant.id,
        from,
        to: input.status,
        reason: input.reason,
        at,
      });
      return { merchant };
    });
  },
};
