import { LockMode } from '@mikro-orm/core';
import { memoizedRead, type Read, type ServiceContext } from '../../db/session';
import { prepared } from '../../db/read-statements';
import { mapRow } from '../../db/tenant-db';
import { recordTransition } from '../../db/status-change.entity';
import { asPlatform, runMutation, type Tx } from '../../db/transaction';
import type { DomainEventOf } from '../../shared/domain-events';
import { countAsked, type Page, type PageArgs, paginate } from '../../graphql/connection';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';
import type { RelationOf } from '../../graphql/loaders';
import { MerchantStatus } from '../../shared/enums';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { MERCHANT_TABLE, merchantSort, merchantWhere } from './merchants.query';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import {
  canChangeMerchantStatus,
  MERCHANT_STATUS_TRANSITIONS,
  remedyWindowOpenUntil,
  reversalOf,
  whyNotAppealable,
} from './merchants.rules';
import {
  MERCHANT_FIELD_READS,
  type MerchantFilter,
  type MerchantSort,
  type SetMerchantStatusInput,
  type UpsertMerchantInput,
} from './merchants.types';

/** The transaction memo's slot for merchants read whole. */
const MERCHANTS = 'merchants.byId';

/** The merchant, locked to be changed: what the transaction had memoized of it is read again after. */
async function loadForUpdate(ctx: ServiceContext, id: string, field: string[]): Promise<Merchant> {
  const merchant = await ctx.em.findOne(Merchant, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!merchant) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such merchant', field)]);
  ctx.memo?.forget(MERCHANTS, id);
  return merchant;
}

/** The history row and `MerchantStatusChanged` (audit line, live event) for one move. */
async function changeStatus(tx: Tx, merchant: Merchant, to: MerchantStatus, reason: string, at: Date): Promise<void> {
  const from = merchant.status;
  const change = recordTransition(
    tx.em,
    MerchantStatusChange,
    { key: 'merchant', subject: merchant },
    { to, actor: tx.actorLabel, reason, at },
  );
  await tx.emit({ type: 'MerchantStatusChanged', merchantId: merchant.id, changeId: change.id, from, to, reason, at });
}

const MERCHANT_BY_ID = prepared('select "t".* from "merchant" as "t" where "t"."id" = $1::uuid');
const MERCHANTS_BY_IDS = prepared('select "t".* from "merchant" as "t" where "t"."id" = any($1::uuid[])');

export const merchantsService = {
  list(
    ctx: ServiceContext,
    args: { filter?: MerchantFilter | null; sort?: MerchantSort | null; page: PageArgs },
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<Merchant>> {
    return paginate(ctx.db, Merchant, {
      shape: 'merchants.list',
      ...MERCHANT_TABLE,
      where: merchantWhere(args.filter),
      sort: merchantSort(args.sort),
      page: args.page,
      filter: args.filter,
      columns: ctx.db.columnsFor(Merchant, asked.nodes, MERCHANT_FIELD_READS),
      ...countAsked(asked),
    });
  },

  /**
   * For `merchant(id)` and relation fields of other modules (`order.merchant`): batched per request.
   * `fields`: the merchant fields the caller will read (null or absent: all); only their columns are fetched.
   */
  load(ctx: ServiceContext, id: string, fields?: ReadonlySet<string> | null): Promise<Merchant | null> {
    return ctx.loaders.merchants.byId(ctx.db.columnsFor(Merchant, fields ?? null, MERCHANT_FIELD_READS)).load(id);
  },

  /**
   * The merchant a to-one relation of another module's row points at, by that row's id: for a field
   * read ahead, which knows its parent's id but not the key the parent's row holds.
   */
  loadOf(ctx: ServiceContext, via: RelationOf, fields?: ReadonlySet<string> | null): Promise<Merchant | null> {
    const columns = ctx.db.columnsFor(Merchant, fields ?? null, MERCHANT_FIELD_READS);
    return ctx.loaders.merchants.through(ctx.db.relation(via.entity, via.property), columns).load(via.id);
  },

  /** The merchant behind a key the caller's row holds, unread, when only its id is asked for. */
  reference(ctx: ServiceContext, id: string): Merchant {
    return ctx.db.reference(Merchant, id);
  },

  statusHistory(ctx: ServiceContext, merchant: Merchant): Promise<MerchantStatusChange[]> {
    return ctx.loaders.merchants.statusHistory.load(merchant.id);
  },

  /** For other modules' transactions: the merchants that exist among `ids` (row-level security applies). */
  /** For the token script's list: the first merchants by name. */
  firstByName(ctx: ServiceContext, limit: number): Promise<Merchant[]> {
    return ctx.em.find(Merchant, {}, { orderBy: { name: 'asc', id: 'asc' }, limit });
  },

  /** A merchant by id, as a read to send with others in a transaction's message. */
  byId(ctx: ServiceContext, id: string): Read<Merchant | null> {
    const read = this.byIds(ctx, [id]);
    return { statements: read.statements, parse: (results) => read.parse(results)[0] ?? null };
  },

  /**
   * The merchants among `ids`, as one read to send with others; in a transaction, those it has read
   * already answer from its memo (forgotten when the transaction locks one to change it).
   */
  byIds(ctx: ServiceContext, ids: readonly string[]): Read<Merchant[]> {
    return memoizedRead(ctx, MERCHANTS, [...new Set(ids)], (missing) => ({
      statements: [missing.length === 1 ? MERCHANT_BY_ID(missing[0]) : MERCHANTS_BY_IDS(`{${missing.join(',')}}`)],
      parse: ([rows]) => rows.map((row) => mapRow(ctx.em, Merchant, row)),
    }));
  },

  /** For other modules' transactions: merchants they read with their own rows, for `byIds` to answer. */
  remember(ctx: ServiceContext, merchants: readonly Merchant[]): void {
    ctx.memo?.remember(MERCHANTS, merchants);
  },

  findByIds(ctx: ServiceContext, ids: string[]): Promise<Merchant[]> {
    return ids.length ? ctx.em.find(Merchant, { id: { $in: ids } }) : Promise.resolve([]);
  },

  /**
   * For appeals: the merchant behind a status change the actor may see, and why it cannot be appealed
   * (null when it is a standing penalty), or null when there is no such change.
   */
  async penaltyOf(
    ctx: ServiceContext,
    id: string,
  ): Promise<{ merchantId: string; notAppealable: string | null } | null> {
    const change = await ctx.em.findOne(MerchantStatusChange, { id });
    return change ? { merchantId: change.merchant.id, notAppealable: whyNotAppealable(change) } : null;
  },

  /** For `node(id)` and an appeal's subject: one status change, batched per request. */
  loadStatusChange(ctx: ServiceContext, id: string): Promise<MerchantStatusChange | null> {
    return ctx.loaders.merchants.statusChangeById.load(id);
  },

  upsert(ctx: ServiceContext, input: UpsertMerchantInput) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const existing = await em.findOne(Merchant, { externalId: input.externalId });
      const { externalId, name, tier, mainCategory, region, deposit } = input;
      if (existing) {
        tx.memo.forget(MERCHANTS, existing.id);
        em.assign(existing, { name, tier, mainCategory, region, deposit });
        return { merchant: existing, created: false };
      }
      const merchant = em.create(Merchant, { externalId, name, tier, mainCategory, region, deposit });
      recordTransition(
        em,
        MerchantStatusChange,
        { key: 'merchant', subject: merchant },
        { to: merchant.status, actor: tx.actorLabel, reason: 'merchant registered', at: tx.now() },
        true,
      );
      return { merchant, created: true };
    });
  },

  /**
   * Handles `AppealDecided`: an upheld PENALTY appeal reverses the contested status change and the
   * penalties that rested on it, restoring the status it started from (the appeal overrides the usual
   * transition table), in the decision's transaction.
   */
  async onAppealsDecided(tx: Tx, events: DomainEventOf<'AppealDecided'>[]): Promise<void> {
    for (const decided of events.filter((e) => e.upheld && e.subjectType === 'MERCHANT_STATUS_CHANGE')) {
      await asPlatform(tx, async (platformTx) => {
        const { em } = platformTx;
        const contested = await em.findOne(MerchantStatusChange, { id: decided.subjectId });
        if (!contested || contested.reversedAt) return;
        const merchant = await loadForUpdate(platformTx, contested.merchant.id, ['input', 'appealId']);
        const later = await em.find(
          MerchantStatusChange,
          { merchant, createdAt: { $gt: contested.createdAt } },
          { orderBy: { createdAt: 'asc', id: 'asc' } },
        );
        const { reversed, restore } = reversalOf(contested, later);
        for (const change of reversed)
          Object.assign(change, { reversedAt: decided.at, reversedByAppealId: decided.appealId });
        if (!restore || restore === merchant.status) return;
        await changeStatus(platformTx, merchant, restore, `appeal upheld: ${decided.reason}`, decided.at);
      });
    }
  },

  setStatus(ctx: ServiceContext, input: SetMerchantStatusInput & { merchantId: string }) {
    return runMutation(ctx, async (tx) => {
      const merchant = await loadForUpdate(tx, input.merchantId, ['input', 'merchantId']);
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
      const at = tx.now();
      // The window runs from the latest warning that stands: a warning reversed on appeal opens none,
      // and a return to WARNED from a harsher status (eased, or restored on appeal) is no new warning.
      const lastWarning = await tx.em.findOne(
        MerchantStatusChange,
        { merchant, fromStatus: MerchantStatus.ACTIVE, toStatus: MerchantStatus.WARNED, reversedAt: null },
        { orderBy: { changedAt: 'desc' } },
      );
      const { remedyWindowDays } = versionInForce(await policiesService.timelineIn(tx), at).numbers.merchantStatus;
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
      await changeStatus(tx, merchant, input.status, input.reason, at);
      return { merchant };
    });
  },
};
