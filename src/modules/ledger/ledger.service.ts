import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import type { Tx } from '../../db/transaction';
import { LedgerAccount, LedgerEntry, LedgerTransaction } from './ledger.entity';
import { AccountKind, FundCode, LedgerKind } from './ledger.enums';
import { sqlFirst, sqlRows, sqlRun, whereTextIn, whereUuidIn } from '../../db/sql';
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

function ensureMerchantAccounts(em: EntityManager, codes: string[]): Promise<unknown> | undefined {
  const rows = codes.flatMap((code) => {
    const [prefix, merchantId] = code.split(':');
    if (prefix !== AccountKind.MERCHANT_CASH && prefix !== AccountKind.MERCHANT_AD) return [];
    return [
      { id: crypto.randomUUID(), code, kind: prefix, merchant_id: merchantId, balance: 0, created_at: new Date() },
    ];
  });
  if (!rows.length) return undefined;
  const qb = em.getKnex()('ledger_account').insert(rows).onConflict('code').ignore();
  return sqlRun(em, qb);
}

export const ledgerService = {
  findByKey(em: EntityManager, kind: LedgerKind, idempotencyKey: string): Promise<LedgerTransaction | null> {
    return em.findOne(LedgerTransaction, { kind, idempotencyKey });
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
   * Posts at most once per key: an earlier posting with the same request is the answer (replayed),
   * another request with the key is a conflict. The key is checked again after `lock`, since another
   * request with it may have committed while this one waited for the locks.
   */
  async once<L>(
    em: EntityManager,
    key: { kind: LedgerKind; idempotencyKey: string; requestHash: string },
    lock: () => Promise<L>,
    write: (locked: L) => Promise<LedgerTransaction>,
  ): Promise<{ transaction: LedgerTransaction; replayed: boolean }> {
    const earlier = async () =>
      this.replayOrConflict(await this.findByKey(em, key.kind, key.idempotencyKey), key.requestHash);
    const before = await earlier();
    if (before) return { transaction: before, replayed: true };
    const locked = await lock();
    const raced = await earlier();
    if (raced) return { transaction: raced, replayed: true };
    return { transaction: await write(locked), replayed: false };
  },

  /**
   * Locks the accounts a posting touches, in one global order (by code) so that concurrent postings
   * cannot deadlock. Holding the fund's row serialises payouts from it (the budget check), and
   * holding a merchant's row serialises its capped claims (the cap check).
   */
  async lockAccounts(em: EntityManager, codes: string[]): Promise<Map<string, LedgerAccount>> {
    const unique = [...new Set(codes)].sort();
    await ensureMerchantAccounts(em, unique);
    const accounts = await em.find(
      LedgerAccount,
      { code: { $in: unique } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { code: 'asc' } },
    );
    if (accounts.length !== unique.length) throw new Error(`missing ledger accounts among ${unique.join(', ')}`);
    return new Map(accounts.map((account) => [account.code, account]));
  },

  /** The balance of an account without locking it (0 when it is not open yet), for quotes. */
  async balanceOf(em: EntityManager, code: string): Promise<number> {
    return (await em.findOne(LedgerAccount, { code }))?.balance ?? 0;
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
   * postings at once, so their handlers run once for the batch.
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
    const transaction = em.create(LedgerTransaction, {
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
      reversalOf: spec.reversalOf ?? null,
      reason: spec.reason,
      actor: spec.actor,
      effectiveAt: spec.effectiveAt,
    });
    for (const leg of spec.legs) {
      const account = accounts.get(leg.code)!;
      em.create(LedgerEntry, { transaction, account, amount: leg.amount });
      account.balance += leg.amount;
    }
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

  /** Which of `keys` have a posting of `kind` already, in one statement. */
  async postedKeys(em: EntityManager, kind: LedgerKind, keys: string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const qb = em.getKnex()('ledger_transaction').select('idempotency_key').where('kind', kind);
    whereTextIn(qb, 'idempotency_key', keys);
    return new Set((await sqlRows(em, qb)).map((row) => row.idempotency_key as string));
  },

  /** Which of the orders have a standing (not reversed) posting of `kind`, in one statement. */
  async ordersWithStanding(em: EntityManager, kind: LedgerKind, orderIds: string[]): Promise<Set<string>> {
    if (!orderIds.length) return new Set();
    const qb = em
      .getKnex()('ledger_transaction as t')
      .distinct('t.order_id')
      .where('t.kind', kind)
      .whereNotExists((sub) => sub.select(1).from('ledger_transaction as r').whereRaw('r.reversal_of_id = t.id'));
    whereUuidIn(qb, 't.order_id', orderIds);
    return new Set((await sqlRows(em, qb)).map((row) => row.order_id as string));
  },

  /** Paid so far under a cap: postings of `kind` for the merchant in `period` that were not reversed. */
  async paidInPeriod(em: EntityManager, kind: LedgerKind, merchantId: string, period: string): Promise<number> {
    const qb = em
      .getKnex()('ledger_transaction as t')
      .sum({ paid: 't.amount' })
      .where({ 't.kind': kind, 't.merchant_id': merchantId, 't.period': period })
      .whereNotExists((sub) => sub.select(1).from('ledger_transaction as r').whereRaw('r.reversal_of_id = t.id'));
    return Number((await sqlFirst(em, qb))?.paid ?? 0);
  },

  /** The standing (not reversed) postings of `kind` on an order. */
  async standingOnOrder(em: EntityManager, kind: LedgerKind, orderId: string): Promise<LedgerTransaction[]> {
    const postings = await em.find(LedgerTransaction, { kind, order: orderId });
    if (!postings.length) return [];
    const reversals = await em.find(LedgerTransaction, { reversalOf: { $in: postings.map((p) => p.id) } });
    const reversed = new Set(reversals.map((r) => r.reversalOf!.id));
    return postings.filter((p) => !reversed.has(p.id));
  },
};
