import type { EntityManager, Knex, RequiredEntityData } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { escapeLiteral } from 'pg';
import type { Read, ServiceContext } from '../../db/session';
import { mapRow, type Row } from '../../db/tenant-db';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import type { Tx } from '../../db/transaction';
import { LedgerAccount, LedgerEntry, LedgerTransaction } from './ledger.entity';
import { AccountKind, FundCode, LedgerKind } from './ledger.enums';
import { insertShape, insertStatement, textArray, whereTextIn, whereUuidIn } from '../../db/sql';
import { prepared, preparedShape, type ReadStatement } from '../../db/read-statements';
import type { DomainEventOf } from '../../shared/domain-events';

/**
 * The largest balance an account may reach, either way: 10 trillion yuan. Balances, entries and sums
 * stay exact as JavaScript numbers (2^53 fen is about 90 trillion yuan) without bigint arithmetic.
 */
export const MAX_BALANCE_FEN = 1_000_000_000_000_000;

/** Stable account codes; merchants' accounts are opened on first use. */
export const accountCode = {
  treasury: () => 'PLATFORM_TREASURY',
  feeIncome: () => 'FEE_INCOME',
  buyerCompensation: () => 'BUYER_COMPENSATION',
  logisticsPayable: () => 'LOGISTICS_PAYABLE',
  fund: (fund: FundCode) => `FUND:${fund}`,
  merchantCash: (merchantId: string) => `MERCHANT_CASH:${merchantId}`,
  merchantAd: (merchantId: string) => `MERCHANT_AD:${merchantId}`,
};

export interface Leg {
  code: string;
  amount: number;
}

export interface PostingSpec {
  kind: LedgerKind;
  idempotencyKey: string;
  requestHash: string;
  amount: number;
  legs: Leg[];
  merchantId?: string | null;
  orderId?: string | null;
  /** The after-sales case that caused it. */
  caseId?: string | null;
  /** The appeal that caused it. */
  appealId?: string | null;
  period?: string | null;
  policyVersion: number;
  reversalOf?: LedgerTransaction | null;
  reason: string;
  actor: string;
  effectiveAt: Date;
}

/** Postings queued on a transaction and not sent yet: written as one statement whatever their number. */
interface PostingBatch {
  transactions: RequiredEntityData<LedgerTransaction>[];
  entries: RequiredEntityData<LedgerEntry>[];
  /** The balance move of each account. */
  moves: Map<string, number>;
}

const batches = new WeakMap<EntityManager, PostingBatch>();

/**
 * The transaction's batch of postings waiting to be sent, queued on it on first use: the rows and the
 * balances' moves in one statement, written when the transaction sends its queue (its next read or
 * its commit). The entries' foreign keys are checked at the end of the statement, when the
 * transactions' rows are in; that each transaction balances, at commit.
 */
function batchOf(tx: Tx): PostingBatch {
  let batch = batches.get(tx.em);
  if (!batch) {
    const open: PostingBatch = { transactions: [], entries: [], moves: new Map() };
    batches.set(tx.em, (batch = open));
    tx.write(() => {
      batches.delete(tx.em);
      return [postingStatement(tx, open)];
    });
  }
  return batch;
}

/**
 * A batch's rows and balance moves as one statement, prepared once per shape (how many postings,
 * entries and accounts): a payout's statement is planned once per connection, not on every payout.
 */
function postingStatement(ctx: ServiceContext, batch: PostingBatch): ReadStatement {
  const moves = [...batch.moves];
  const posted = insertShape(ctx.em, LedgerTransaction, batch.transactions);
  const entered = insertShape(ctx.em, LedgerEntry, batch.entries);
  const write = (postedText: string, enteredText: string, movesText: string) =>
    `with posted as (${postedText}), entered as (${enteredText}) ` +
    `update ledger_account as a set balance = a.balance + m.delta ` +
    `from (values ${movesText}) as m(id, delta) where a.id = m.id`;
  if (!posted || !entered) {
    const literals = moves.map(([id, delta]) => `(${escapeLiteral(id)}::uuid, ${delta}::bigint)`);
    return write(
      insertStatement(ctx.em, LedgerTransaction, batch.transactions),
      insertStatement(ctx.em, LedgerEntry, batch.entries),
      literals.join(', '),
    );
  }
  const statement = preparedShape(`posting|${posted.key}|${entered.key}|${moves.length}`, () => {
    let n = 1 + posted.params.length + entered.params.length;
    const values = moves.map(() => `($${n++}::uuid, $${n++}::bigint)`);
    return write(posted.text(1), entered.text(1 + posted.params.length), values.join(', '));
  });
  return statement(...posted.params, ...entered.params, ...moves.flatMap(([id, delta]) => [id, String(delta)]));
}

/** A read of ledger rows as read-only entity instances. */
const rowsOf =
  <T extends object>(ctx: ServiceContext, entity: new (...args: never[]) => T) =>
  ([rows]: Row[][]) =>
    rows.map((row) => mapRow(ctx.em, entity, row));

const sqlOf = (qb: Knex.QueryBuilder) => qb.toQuery();

/** The merchants' accounts among `codes`, as the rows that open them if they are not open yet. */
function openMerchantAccounts(codes: readonly string[]) {
  return codes.flatMap((code) => {
    const [prefix, merchantId] = code.split(':');
    if (prefix !== AccountKind.MERCHANT_CASH && prefix !== AccountKind.MERCHANT_AD) return [];
    return [{ id: crypto.randomUUID(), code, kind: prefix, merchantId }];
  });
}

/** Whether a posting `t` was reversed: a reversal names it. */
const REVERSED = 'exists (select 1 from ledger_transaction as r where r.reversal_of_id = t.id)';

/** The not-reversed postings. */
const notReversed = (qb: Knex.QueryBuilder) => qb.whereRaw(`not ${REVERSED}`);

const BY_KEY = prepared('select t.* from ledger_transaction as t where t.kind = $1 and t.idempotency_key = $2');

const LOCK_ACCOUNTS_SQL =
  'select t.* from ledger_account as t where t.code = any($1::text[]) order by t.code for update';
const LOCK_ACCOUNTS = prepared(LOCK_ACCOUNTS_SQL);
/** `LOCK_ACCOUNTS`, opening those of `$2…$5` (one array per column, however many) that are not open yet. */
const LOCK_OPENING_ACCOUNTS = prepared(
  'with opened as (insert into ledger_account (id, code, kind, merchant_id, balance, created_at) ' +
    'select r.id, r.code, r.kind, r.merchant_id, 0, $6::timestamptz ' +
    'from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[]) as r(id, code, kind, merchant_id) ' +
    `on conflict (code) do nothing returning *), locked as (${LOCK_ACCOUNTS_SQL}) ` +
    'select * from locked union all select * from opened',
);

const KEY_AND_STANDING_ON_ORDER = prepared(
  `select t.*, t.idempotency_key = $2 as with_key, ${REVERSED} as reversed from ledger_transaction as t ` +
    'where t.kind = $1 and (t.idempotency_key = $2 or t.order_id = $3::uuid) order by t.created_at, t.id',
);

export const ledgerService = {
  /** The posting of `kind` with this idempotency key, if any. */
  byKey(ctx: ServiceContext, kind: LedgerKind, idempotencyKey: string): Read<LedgerTransaction | null> {
    return {
      statements: [BY_KEY(kind, idempotencyKey)],
      parse: (results) => rowsOf(ctx, LedgerTransaction)(results)[0] ?? null,
    };
  },

  /**
   * Same key, same request: the earlier result. Same key, other content: a conflict, nothing posted.
   */
  replayOrConflict(existing: LedgerTransaction | null, requestHash: string): LedgerTransaction | null {
    if (!existing) return null;
    if (existing.requestHash !== requestHash) {
      throw new Refused([
        refusal(RefusalCode.IDEMPOTENCY_CONFLICT, 'this idempotency key was used for a different request', [
          'input',
          'idempotencyKey',
        ]),
      ]);
    }
    return existing;
  },

  /**
   * Locks the accounts a posting touches (opening merchants' accounts on first use), in one global
   * order (by code) so that concurrent postings cannot deadlock. Holding the fund's row serialises
   * payouts from it (the budget check), and holding a merchant's row serialises its capped claims
   * (the cap check). Read beside the facts the posting checks under the locks.
   */
  lockAccounts(ctx: ServiceContext, codes: readonly string[]): Read<Map<string, LedgerAccount>> {
    const unique = [...new Set(codes)].sort();
    const opening = openMerchantAccounts(unique);
    // One statement: the open accounts locked in code order, and the rows it opened (new rows are
    // this transaction's alone until it commits).
    const statement = opening.length
      ? LOCK_OPENING_ACCOUNTS(
          textArray(unique),
          `{${opening.map((row) => row.id).join(',')}}`,
          textArray(opening.map((row) => row.code)),
          textArray(opening.map((row) => row.kind)),
          `{${opening.map((row) => row.merchantId).join(',')}}`,
          new Date().toISOString(),
        )
      : LOCK_ACCOUNTS(textArray(unique));
    return {
      statements: [statement],
      parse: (results) => {
        const accounts = rowsOf(ctx, LedgerAccount)(results);
        if (accounts.length !== unique.length) {
          // Another transaction opened one of them after this statement's snapshot was taken: neither
          // half sees it. That is a unique-key race, which `runMutation` retries from the start.
          throw new UniqueConstraintViolationException(new Error(`ledger accounts opened concurrently: ${unique}`));
        }
        return new Map(accounts.map((account) => [account.code, account]));
      },
    };
  },

  /** The balance of an account without locking it (0 when it is not open yet), for quotes. */
  async balanceOf(ctx: ServiceContext, code: string): Promise<number> {
    return (await ctx.em.findOne(LedgerAccount, { code }))?.balance ?? 0;
  },

  /**
   * Writes a balanced transaction and moves the cached balances with it, in the caller's transaction.
   * Accounts must be locked. Other modules hear of it through `LedgerTransactionPosted`.
   */
  async write(tx: Tx, accounts: Map<string, LedgerAccount>, spec: PostingSpec): Promise<LedgerTransaction> {
    const { transaction, event } = this.writeDeferred(tx, accounts, spec);
    await tx.emit(event);
    return transaction;
  },

  /**
   * `write` without the event: the caller emits the `LedgerTransactionPosted` events of a batch of
   * postings at once, so their handlers run once for the batch. The rows and the balances' moves are
   * queued on the transaction (`Tx.write`): they travel with its next message, and the ledger's reads
   * in the same transaction go through `Tx.read`, behind them.
   */
  writeDeferred(
    tx: Tx,
    accounts: Map<string, LedgerAccount>,
    spec: PostingSpec,
  ): { transaction: LedgerTransaction; event: DomainEventOf<'LedgerTransactionPosted'> } {
    const { em } = tx;
    const total = spec.legs.reduce((sum, leg) => sum + leg.amount, 0);
    if (total !== 0 || spec.legs.length < 2)
      throw new Error(`unbalanced posting ${spec.kind}: ${JSON.stringify(spec.legs)}`);
    for (const leg of spec.legs) {
      const account = accounts.get(leg.code)!;
      if (Math.abs(account.balance + leg.amount) > MAX_BALANCE_FEN) {
        throw new Refused([
          refusal(RefusalCode.INVALID_INPUT, `an account of the ledger holds at most ${MAX_BALANCE_FEN / 100} yuan`, [
            'input',
            'amount',
          ]),
        ]);
      }
      if (account.kind === AccountKind.FUND && account.balance + leg.amount < 0) {
        throw new Refused([
          refusal(RefusalCode.BUDGET_EXHAUSTED, `the ${account.fund} fund has not enough budget left for this payout`, [
            'input',
          ]),
        ]);
      }
    }
    const data = {
      id: crypto.randomUUID(),
      kind: spec.kind,
      idempotencyKey: spec.idempotencyKey,
      requestHash: spec.requestHash,
      amount: spec.amount,
      merchant: spec.merchantId ?? null,
      order: spec.orderId ?? null,
      caseId: spec.caseId ?? null,
      appealId: spec.appealId ?? null,
      period: spec.period ?? null,
      policyVersion: spec.policyVersion,
      reversalOf: spec.reversalOf?.id ?? null,
      reason: spec.reason,
      actor: spec.actor,
      effectiveAt: spec.effectiveAt,
      createdAt: new Date(),
    };
    const batch = batchOf(tx);
    batch.transactions.push(data);
    for (const leg of spec.legs) {
      const accountId = accounts.get(leg.code)!.id;
      batch.entries.push({ id: crypto.randomUUID(), transaction: data.id, account: accountId, amount: leg.amount });
      batch.moves.set(accountId, (batch.moves.get(accountId) ?? 0) + leg.amount);
    }
    for (const leg of spec.legs) accounts.get(leg.code)!.balance += leg.amount;
    const transaction = em.create(LedgerTransaction, data, { persist: false });
    const event = {
      type: 'LedgerTransactionPosted' as const,
      transactionId: transaction.id,
      kind: spec.kind,
      amount: spec.amount,
      merchantId: spec.merchantId ?? null,
      orderId: spec.orderId ?? null,
      reversalOfId: spec.reversalOf?.id ?? null,
      at: tx.now(),
    };
    return { transaction, event };
  },

  /** Which of `keys` have a posting of `kind` already. */
  postedKeys(ctx: ServiceContext, kind: LedgerKind, keys: string[]): Read<Set<string>> {
    const qb = ctx.em.getKnex()('ledger_transaction').select('idempotency_key').where('kind', kind);
    whereTextIn(qb, 'idempotency_key', keys);
    return {
      statements: [sqlOf(qb)],
      parse: ([rows]) => new Set(rows.map((row) => row.idempotency_key as string)),
    };
  },

  /** `postedKeys`, and which of the orders have a standing (not reversed) posting of `kind`, in one statement. */
  postedKeysAndOrdersWithStanding(
    ctx: ServiceContext,
    kind: LedgerKind,
    keys: string[],
    orderIds: string[],
  ): Read<{ posted: Set<string>; standing: Set<string> }> {
    const knex = ctx.em.getKnex();
    const qb = knex('ledger_transaction as t')
      .select('t.idempotency_key', 't.order_id')
      .select(knex.raw(`${REVERSED} as reversed`))
      .where('t.kind', kind)
      .andWhere((where) => {
        whereTextIn(where, 't.idempotency_key', keys);
        where.orWhere((orders) => whereUuidIn(orders, 't.order_id', orderIds));
      });
    return {
      statements: [sqlOf(qb)],
      parse: ([rows]) => {
        const wanted = new Set(keys);
        const orders = new Set(orderIds);
        return {
          posted: new Set(rows.map((row) => row.idempotency_key as string).filter((key) => wanted.has(key))),
          standing: new Set(
            rows
              .filter((row) => !row.reversed && orders.has(row.order_id as string))
              .map((row) => row.order_id as string),
          ),
        };
      },
    };
  },

  /** Paid so far under a cap: postings of `kind` for the merchant in `period` that were not reversed. */
  paidInPeriod(ctx: ServiceContext, kind: LedgerKind, merchantId: string, period: string): Read<number> {
    const qb = notReversed(
      ctx.em
        .getKnex()('ledger_transaction as t')
        .sum({ paid: 't.amount' })
        .where({ 't.kind': kind, 't.merchant_id': merchantId, 't.period': period }),
    );
    return { statements: [sqlOf(qb)], parse: ([rows]) => Number(rows[0]?.paid ?? 0) };
  },

  /**
   * `byKey` and `standingOnOrder` in one statement, for a posting that checks both under its locks:
   * the rows of `kind` with the key or on the order, each marked.
   */
  keyAndStandingOnOrder(
    ctx: ServiceContext,
    kind: LedgerKind,
    idempotencyKey: string,
    orderId: string,
  ): Read<{ byKey: LedgerTransaction | null; standing: LedgerTransaction[] }> {
    return {
      statements: [KEY_AND_STANDING_ON_ORDER(kind, idempotencyKey, orderId)],
      parse: ([rows]) => {
        const byKey = rows.find((row) => row.with_key === true);
        return {
          byKey: byKey ? mapRow(ctx.em, LedgerTransaction, byKey) : null,
          standing: rows
            .filter((row) => row.order_id === orderId && row.reversed === false)
            .map((row) => mapRow(ctx.em, LedgerTransaction, row)),
        };
      },
    };
  },

  /** The standing (not reversed) postings of `kind` on an order. */
  standingOnOrder(ctx: ServiceContext, kind: LedgerKind, orderId: string): Read<LedgerTransaction[]> {
    const qb = notReversed(
      ctx.em.getKnex()('ledger_transaction as t').select('t.*').where({ 't.kind': kind, 't.order_id': orderId }),
    ).orderBy(['t.created_at', 't.id']);
    return { statements: [sqlOf(qb)], parse: rowsOf(ctx, LedgerTransaction) };
  },
};
