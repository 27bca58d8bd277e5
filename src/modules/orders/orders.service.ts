import { LockMode } from '@mikro-orm/core';
import { memoizedRead, type Read, type ServiceContext } from '../../db/session';
import { mapRow, type Row } from '../../db/tenant-db';
import { prepared } from '../../db/read-statements';
import { sqlFirst, sqlRows } from '../../db/sql';
import { recordTransition } from '../../db/status-change.entity';
import { runMutation, type Tx } from '../../db/transaction';
import { countAsked, type Page, paginate } from '../../graphql/connection';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';
import type { RelationOf } from '../../graphql/loaders';
import type { DomainEvent } from '../../shared/domain-events';
import { OrderStatus } from '../../shared/enums';
import { contentHash } from '../../shared/hash';
import { Refused, RefusalCode, refusal, type Refusal } from '../../shared/refusal';
import { buyersService } from '../buyers/buyers.service';
import { merchantsService } from '../merchants/merchants.service';
import { type PolicySnapshot, versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { productsService } from '../products/products.service';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import {
  buyerOrderCountsQuery,
  completedSalesQuery,
  ORDER_TABLE,
  type OrderListArgs,
  orderSort,
  orderCountsQuery,
  orderWhere,
  repurchaseQuery,
} from './orders.query';
import {
  defaultShipBy,
  isRemoteRegion,
  MAX_INGEST_BATCH,
  orderFactsViolations,
  TIMESTAMP_OF_STATUS,
  transitionViolation,
} from './orders.rules';
import {
  IngestOutcome,
  ORDER_FIELD_READS,
  ORDER_LINE_FIELD_READS,
  type OrderInput,
  type TransitionOrderInput,
} from './orders.types';

/**
 * An order as the platform sent it, with local ids; the GraphQL edge decoded them and passes the
 * refusals of ids it could not decode, which reject the item like any other bad field.
 */
export interface IngestItem extends Omit<OrderInput, 'merchantId' | 'buyerId' | 'lines'> {
  merchantId: string;
  buyerId: string;
  lines: { productId: string; quantity: number; unitPrice: number }[];
  refusals: Refusal[];
}

/** The content hash of what the platform sent, in its own terms (global ids), so re-sends match. */
export interface IngestRequest {
  item: IngestItem;
  /** What the platform sent, for the content hash. */
  sent: OrderInput;
}

interface ParsedItem {
  index: number;
  input: IngestItem;
  errors: Refusal[];
  hash: string;
}

function parseItem({ item, sent }: IngestRequest, index: number, now: Date): ParsedItem {
  const path = ['input', index];
  const errors = [...item.refusals];
  const promotionFee = item.promotionFee ?? 0;
  for (const violation of orderFactsViolations({ ...item, promotionFee }, now)) {
    errors.push(refusal(RefusalCode.INVALID_INPUT, violation.message, [...path, ...violation.field]));
  }
  // The hash covers what the platform sent, not derived values, so a policy change cannot turn a
  // re-sent order into a conflict.
  const hash = contentHash({ ...sent, promotionFee });
  return { index, input: item, errors, hash };
}

export interface IngestResult {
  index: number;
  externalNumber: string;
  outcome: IngestOutcome;
  order: Order | null;
  refusals: Refusal[];
}

const result = (
  item: ParsedItem,
  outcome: IngestOutcome,
  order: Order | null,
  refusals: Refusal[] = [],
): IngestResult => ({
  index: item.index,
  externalNumber: item.input.externalNumber,
  outcome,
  order,
  refusals,
});

const orderKey = (platform: string, externalNumber: string) => `${platform}\u0000${externalNumber}`;

async function findExisting(ctx: ServiceContext, items: ParsedItem[]): Promise<Map<string, Order>> {
  const numbersByPlatform = new Map<string, string[]>();
  for (const { input } of items) {
    numbersByPlatform.set(input.platform, [...(numbersByPlatform.get(input.platform) ?? []), input.externalNumber]);
  }
  if (!numbersByPlatform.size) return new Map();
  const found = await ctx.em.find(Order, {
    $or: [...numbersByPlatform].map(([platform, numbers]) => ({
      platform: platform as Order['platform'],
      externalNumber: { $in: numbers },
    })),
  });
  return new Map(found.map((order) => [orderKey(order.platform, order.externalNumber), order]));
}

function createOrder(
  ctx: ServiceContext,
  item: ParsedItem,
  timeline: PolicySnapshot[],
  actorId: string,
  refs: { merchant: Order['merchant']; buyer: Order['buyer']; products: OrderLine['product'][] },
  ingestedAt: Date,
): Order {
  const { input } = item;
  // The rules in force when the order was paid.
  const policy = versionInForce(timeline, input.paidAt).numbers;
  const order: Order = ctx.em.create(Order, {
    platform: input.platform,
    externalNumber: input.externalNumber,
    merchant: refs.merchant,
    buyer: refs.buyer,
    status: input.status,
    paidAmount: input.paidAmount,
    shippingFee: input.shippingFee,
    destinationRegion: input.destinationRegion,
    remoteRegion: isRemoteRegion(input.destinationRegion, policy.remoteRegions),
    promoted: input.promoted,
    promotionFee: input.promotionFee ?? 0,
    custom: input.custom,
    hosted: input.hosted,
    paidAt: input.paidAt,
    shipBy: input.shipBy ?? defaultShipBy(input.paidAt, policy.shipWithinHours),
    shippedAt: input.shippedAt ?? null,
    deliveredAt: input.deliveredAt ?? null,
    completedAt: input.completedAt ?? null,
    cancelledAt: input.cancelledAt ?? null,
    refundedAt: input.refundedAt ?? null,
    voidedAt: input.voidedAt ?? null,
    contentHash: item.hash,
  });
  input.lines.forEach((line, i) =>
    ctx.em.create(OrderLine, {
      order,
      lineNo: i + 1,
      product: refs.products[i],
      quantity: line.quantity,
      unitPrice: line.unitPrice,
    }),
  );
  recordTransition(
    ctx.em,
    OrderStatusChange,
    { key: 'order', subject: order },
    { to: input.status, actor: actorId, reason: 'ingested', at: ingestedAt },
    true,
  );
  return order;
}

/** What other modules hear of an order that reached its status (by ingest or by a move). */
function eventsOf(order: Order, productIds: string[], reason: string): DomainEvent[] {
  const base = { orderId: order.id, merchantId: order.merchant.id };
  const events: DomainEvent[] = [];
  if (order.shippedAt && order.status !== OrderStatus.REFUNDED) {
    events.push({
      type: 'OrderShipped',
      ...base,
      buyerId: order.buyer.id,
      productIds,
      shippedAt: order.shippedAt,
      shipBy: order.shipBy,
      remoteRegion: order.remoteRegion,
      destinationRegion: order.destinationRegion,
    });
  }
  if (order.status === OrderStatus.COMPLETED)
    events.push({ type: 'OrderCompleted', ...base, completedAt: order.completedAt! });
  if (order.status === OrderStatus.REFUNDED)
    events.push({ type: 'OrderRefunded', ...base, refundedAt: order.refundedAt!, shippedAt: order.shippedAt ?? null });
  if (order.status === OrderStatus.VOIDED)
    events.push({ type: 'OrderVoided', ...base, voidedAt: order.voidedAt!, reason });
  if (order.status === OrderStatus.CANCELLED)
    events.push({ type: 'OrderCancelled', ...base, cancelledAt: order.cancelledAt! });
  return events;
}

let withBuyerReads: { one: ReturnType<typeof prepared>; many: ReturnType<typeof prepared> } | undefined;

/** The order-with-buyer reads as prepared statements, written once (the buyer's table named by the relation). */
function withBuyerStatements(ctx: ServiceContext) {
  if (withBuyerReads) return withBuyerReads;
  const buyers = ctx.em.getMetadata().get(Order.name).properties.buyer.targetMeta!.tableName;
  const base = `select "t".*, row_to_json(b) as buyer_row from "order" as "t" inner join "${buyers}" as "b" on "t"."buyer_id" = "b"."id"`;
  return (withBuyerReads = {
    one: prepared(`${base} where "t"."id" = $1::uuid`),
    many: prepared(`${base} where "t"."id" = any($1::uuid[])`),
  });
}

export const ordersService = {
  /** For other modules: repeat buyers of a merchant among orders paid in [since, until). */
  async repurchaseStats(
    ctx: ServiceContext,
    merchantId: string,
    since: Date,
    until: Date,
  ): Promise<{ buyers: number; repeatBuyers: number }> {
    const row = await sqlFirst(ctx.em, repurchaseQuery(ctx.em.getKnex(), [merchantId], since, until));
    return { buyers: Number(row?.buyers ?? 0), repeatBuyers: Number(row?.repeat_buyers ?? 0) };
  },

  /** For other modules: orders (not cancelled) per buyer paid in (since, until]. */
  async buyerOrderCounts(
    ctx: ServiceContext,
    buyerIds: string[],
    since: Date,
    until: Date,
  ): Promise<Map<string, number>> {
    if (!buyerIds.length) return new Map();
    const rows = await sqlRows(ctx.em, buyerOrderCountsQuery(ctx.em.getKnex(), buyerIds, since, until));
    return new Map(rows.map((row) => [row.buyer_id as string, Number(row.n)]));
  },

  /** For other modules: orders (not cancelled) per merchant paid in (since, until]. */
  async orderCounts(
    ctx: ServiceContext,
    merchantIds: string[],
    since: Date,
    until: Date,
  ): Promise<Map<string, number>> {
    if (!merchantIds.length) return new Map();
    const rows = await sqlRows(ctx.em, orderCountsQuery(ctx.em.getKnex(), merchantIds, since, until));
    return new Map(rows.map((row) => [row.merchant_id as string, Number(row.n)]));
  },

  /** For other modules: paid amount (excluding shipping) of the merchant's orders completed in [from, to). */
  async completedSales(ctx: ServiceContext, merchantId: string, from: Date, to: Date): Promise<number> {
    return Number((await sqlFirst(ctx.em, completedSalesQuery(ctx.em.getKnex(), merchantId, from, to)))?.sales ?? 0);
  },

  /** For other modules' transactions: orders by id, with their buyers (row-level security applies). */
  findByIds(ctx: ServiceContext, ids: string[]): Promise<Order[]> {
    return ids.length ? ctx.em.find(Order, { id: { $in: ids } }, { populate: ['buyer'] }) : Promise.resolve([]);
  },

  /**
   * For other modules' transactions: the orders among `ids` with their buyers and merchants, locked
   * until the transaction ends (in id order, so two lockers never wait on each other), for claims that
   * must see each other. The buyers and merchants are read, not locked, in the same statement, and the
   * transaction's later reads of these orders with their buyers (`withBuyers`) and of their merchants
   * answer from its memo.
   */
  async lockByIds(ctx: ServiceContext, ids: string[]): Promise<Order[]> {
    if (!ids.length) return [];
    const orders = await ctx.em
      .createQueryBuilder(Order, 'o')
      .select('o.*')
      .joinAndSelect('o.buyer', 'b')
      .joinAndSelect('o.merchant', 'm')
      .where({ id: { $in: [...ids].sort() } })
      .orderBy({ id: 'asc' })
      .setLockMode(LockMode.PESSIMISTIC_WRITE, ['o'])
      .getResultList();
    holdsLocked(ctx, orders);
    ctx.memo?.remember(ORDERS_WITH_BUYER, orders);
    merchantsService.remember(
      ctx,
      orders.map((order) => order.merchant),
    );
    return orders;
  },

  /** For other modules: the products of each order's lines, by line number. */
  async productIdsOf(ctx: ServiceContext, orderIds: string[]): Promise<Map<string, string[]>> {
    const lines = orderIds.length
      ? await ctx.em.find(OrderLine, { order: { $in: orderIds } }, { orderBy: { order: 'asc', lineNo: 'asc' } })
      : [];
    const byOrder = new Map<string, string[]>(orderIds.map((id) => [id, []]));
    for (const line of lines) byOrder.get(line.order.id)?.push(line.product.id);
    return byOrder;
  },

  /** For the warnings module: the orders of these buyers that are paid and not yet shipped. */
  unshippedOfBuyers(ctx: ServiceContext, buyerIds: string[]): Promise<Order[]> {
    return buyerIds.length
      ? ctx.em.find(Order, { buyer: { $in: buyerIds }, status: OrderStatus.PAID })
      : Promise.resolve([]);
  },

  /** The order with its buyer, as a read to send with others in a transaction's message. */
  withBuyer(ctx: ServiceContext, id: string): Read<Order | null> {
    const read = this.withBuyers(ctx, [id]);
    return { statements: read.statements, parse: (results) => read.parse(results)[0] ?? null };
  },

  /**
   * The orders among `ids` with their buyers, as one read to send with others; in a transaction, those
   * it has read already answer from its memo (kept current by its own moves of them).
   */
  withBuyers(ctx: ServiceContext, ids: readonly string[]): Read<Order[]> {
    return memoizedRead(ctx, ORDERS_WITH_BUYER, [...new Set(ids)], (missing) => {
      const reads = withBuyerStatements(ctx);
      const sql = missing.length === 1 ? reads.one(missing[0]) : reads.many(`{${missing.join(',')}}`);
      const buyerClass = ctx.em.getMetadata().get(Order.name).properties.buyer.targetMeta!
        .class as new () => Order['buyer'];
      return {
        statements: [sql],
        parse: ([rows]) =>
          rows.map((row) => {
            const order = mapRow(ctx.em, Order, row);
            order.buyer = mapRow(ctx.em, buyerClass, row.buyer_row as Row);
            return order;
          }),
      };
    });
  },

  async findById(ctx: ServiceContext, id: string): Promise<Order | null> {
    return (await this.findByIds(ctx, [id]))[0] ?? null;
  },

  /** `fields`: the order fields the caller will read (null or absent: all); only their columns are fetched. */
  load(ctx: ServiceContext, id: string, fields?: ReadonlySet<string> | null): Promise<Order | null> {
    return ctx.loaders.orders.byId(ctx.db.columnsFor(Order, fields ?? null, ORDER_FIELD_READS)).load(id);
  },

  /** The order a to-one relation of another module's row points at, by that row's id (a field read ahead). */
  loadOf(ctx: ServiceContext, via: RelationOf, fields?: ReadonlySet<string> | null): Promise<Order | null> {
    const columns = ctx.db.columnsFor(Order, fields ?? null, ORDER_FIELD_READS);
    return ctx.loaders.orders.through(ctx.db.relation(via.entity, via.property), columns).load(via.id);
  },

  /** `asked`: what the caller will read of the connection; only the nodes' columns asked are fetched. */
  list(ctx: ServiceContext, args: OrderListArgs, asked: ConnectionAsk = ASKS_ALL): Promise<Page<Order>> {
    return paginate(ctx.db, Order, {
      shape: 'orders.list',
      ...ORDER_TABLE,
      where: orderWhere(args.filter),
      sort: orderSort(args.sort),
      page: args,
      columns: ctx.db.columnsFor(Order, asked.nodes, ORDER_FIELD_READS),
      ...countAsked(asked),
    });
  },

  /**
   * `buyerFields`: the buyer fields asked of each order, when more than its id; the buyers are then
   * read in the page's own message.
   */
  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    args: OrderListArgs,
    asked: ConnectionAsk = ASKS_ALL,
    buyerFields?: ReadonlySet<string> | null,
  ): Promise<Page<Order>> {
    const columns = ctx.db.columnsFor(Order, asked.nodes, ORDER_FIELD_READS);
    const alongside = buyerFields ? buyersService.alongside(ctx, 'buyer_id', buyerFields) : undefined;
    return ctx.loaders.orders.byMerchant.load({ parentId: merchantId, args, columns, alongside, ...countAsked(asked) });
  },

  ofBuyer(
    ctx: ServiceContext,
    buyerId: string,
    args: OrderListArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<Order>> {
    const columns = ctx.db.columnsFor(Order, asked.nodes, ORDER_FIELD_READS);
    return ctx.loaders.orders.byBuyer.load({ parentId: buyerId, args, columns, ...countAsked(asked) });
  },

  /** `fields`: the line fields the caller will read (null or absent: all). */
  lines(ctx: ServiceContext, order: Order, fields?: ReadonlySet<string> | null): Promise<OrderLine[]> {
    const columns = ctx.db.columnsFor(OrderLine, fields ?? null, ORDER_LINE_FIELD_READS);
    return ctx.loaders.orders.lines.load({ parentId: order.id, columns });
  },

  statusHistory(ctx: ServiceContext, order: Order): Promise<OrderStatusChange[]> {
    return ctx.loaders.orders.statusHistory.load(order.id);
  },

  /** Orders per merchant over the policy's trust-score window, batched. */
  recentOrderCountOf(ctx: ServiceContext, merchantId: string): Promise<number> {
    return ctx.loaders.orders.recentOrderCount.load(merchantId);
  },

  /** Distinct and repeat buyers per merchant over the policy's high-repurchase window, batched. */
  repurchaseOf(ctx: ServiceContext, merchantId: string): Promise<{ buyers: number; repeatBuyers: number }> {
    return ctx.loaders.orders.repurchase.load(merchantId);
  },

  /**
   * Stores a batch of platform orders. Each item is created, recognised as a duplicate (same
   * platform, number and content: nothing changes) or rejected with its refusals; the accepted items
   * of the call commit together in one transaction, with the events of the states they arrive in.
   * The statement count depends on the batch, not on its size: one lookup per referenced kind and one
   * insert per table.
   */
  async ingest(ctx: ServiceContext, requests: IngestRequest[]) {
    const empty = { results: [] as IngestResult[], createdCount: 0, duplicateCount: 0, rejectedCount: 0 };
    if (requests.length === 0)
      return { ...empty, refusals: [refusal(RefusalCode.BATCH_EMPTY, 'send at least one order', ['input'])] };
    if (requests.length > MAX_INGEST_BATCH) {
      return {
        ...empty,
        refusals: [
          refusal(
            RefusalCode.BATCH_TOO_LARGE,
            `send at most ${MAX_INGEST_BATCH} orders per call (got ${requests.length})`,
            ['input'],
          ),
        ],
      };
    }
    const outcome = await runMutation(ctx, async (tx) => {
      const now = tx.now();
      const items = requests.map((request, index) => parseItem(request, index, now));
      const valid = (id: string) => id !== '';
      const ids = (pick: (item: ParsedItem) => string[]) => [...new Set(items.flatMap(pick).filter(valid))];
      // One after another: a transaction is one connection, which runs one statement at a time.
      const merchants = await merchantsService.findByIds(
        tx,
        ids((item) => [item.input.merchantId]),
      );
      const buyers = await buyersService.findByIds(
        tx,
        ids((item) => [item.input.buyerId]),
      );
      const products = await productsService.findByIds(
        tx,
        ids((item) => item.input.lines.map((line) => line.productId)),
      );
      const existing = await findExisting(tx, items);
      const timeline = await policiesService.timelineIn(tx);
      const merchantById = new Map(merchants.map((m) => [m.id, m]));
      const buyerById = new Map(buyers.map((b) => [b.id, b]));
      const productById = new Map(products.map((p) => [p.id, p]));
      const events: DomainEvent[] = [];

      const results = items.map((item) => {
        const path = ['input', item.index];
        const { input } = item;
        const errors = [...item.errors];
        const merchant = merchantById.get(input.merchantId);
        const buyer = buyerById.get(input.buyerId);
        if (valid(input.merchantId) && !merchant)
          errors.push(refusal(RefusalCode.NOT_FOUND, 'no such merchant', [...path, 'merchantId']));
        if (valid(input.buyerId) && !buyer)
          errors.push(refusal(RefusalCode.NOT_FOUND, 'no such buyer', [...path, 'buyerId']));
        const lineProducts = input.lines.map(({ productId }, i) => {
          const product = productById.get(productId);
          const field = [...path, 'lines', i, 'productId'];
          if (valid(productId) && !product) errors.push(refusal(RefusalCode.NOT_FOUND, 'no such product', field));
          if (product && merchant && product.merchant.id !== merchant.id) {
            errors.push(refusal(RefusalCode.INVALID_INPUT, 'the product belongs to another merchant', field));
          }
          return product!;
        });

        const key = orderKey(input.platform, input.externalNumber);
        const previous = existing.get(key);
        if (previous && previous.contentHash !== item.hash) {
          errors.push(
            refusal(
              RefusalCode.DUPLICATE_CONFLICT,
              `order ${input.externalNumber} on ${input.platform} was already ingested with different content`,
              [...path, 'externalNumber'],
            ),
          );
        }
        if (errors.length) return result(item, IngestOutcome.REJECTED, null, errors);
        if (previous) return result(item, IngestOutcome.DUPLICATE, previous);
        const order = createOrder(
          tx,
          item,
          timeline,
          tx.actorLabel,
          { merchant: merchant!, buyer: buyer!, products: lineProducts },
          now,
        );
        existing.set(key, order); // a repeat later in the same batch is a duplicate of this one
        events.push({
          type: 'OrderPlaced',
          orderId: order.id,
          merchantId: order.merchant.id,
          buyerId: order.buyer.id,
          productIds: [...new Set(lineProducts.map((p) => p.id))],
          paidAt: order.paidAt,
          shipped: Boolean(order.shippedAt),
        });
        events.push(
          ...eventsOf(
            order,
            lineProducts.map((p) => p.id),
            'ingested',
          ),
        );
        return result(item, IngestOutcome.CREATED, order);
      });
      await tx.emit(...events);
      const count = (outcome: IngestOutcome) => results.filter((r) => r.outcome === outcome).length;
      return {
        results,
        createdCount: count(IngestOutcome.CREATED),
        duplicateCount: count(IngestOutcome.DUPLICATE),
        rejectedCount: count(IngestOutcome.REJECTED),
      };
    });
    return { ...empty, ...outcome };
  },

  transition(ctx: ServiceContext, input: TransitionOrderInput) {
    return runMutation(ctx, (tx) => move(tx, input));
  },

  /**
   * For an after-sales ruling: the order is fully refunded, in the ruling's transaction; its
   * `OrderRefunded` names the case, so what follows from it (a promotion-fee rebate) cites the case.
   */
  refundIn(tx: Tx, input: { orderId: string; at: Date; reason: string; caseId: string }): Promise<{ order: Order }> {
    const { caseId, ...transition } = input;
    return move(tx, { ...transition, to: OrderStatus.REFUNDED }, caseId);
  },

  /**
   * The merchant voids an order whose price it set by mistake (Taobao's 价格设错保障), before the
   * order completes; the buyer's compensation follows from `OrderVoided`.
   */
  voidForPriceError(ctx: ServiceContext, input: { orderId: string; reason: string }) {
    return runMutation(ctx, (tx) =>
      move(tx, { orderId: input.orderId, to: OrderStatus.VOIDED, reason: `price set by mistake: ${input.reason}` }),
    );
  },
};

/** The transaction memo's slot for orders read with their buyers. */
const ORDERS_WITH_BUYER = 'orders.withBuyer';

/**
 * Per transaction, the orders it holds locked: their rows in its identity map are current (only this
 * transaction may change them, and it does so through the identity map), so they are not read again.
 */
const lockedOrders = new WeakMap<object, Set<string>>();

function holdsLocked(ctx: ServiceContext, orders: Order[]): void {
  const transaction = ctx.em.getTransactionContext();
  if (!transaction) return;
  let held = lockedOrders.get(transaction);
  if (!held) lockedOrders.set(transaction, (held = new Set()));
  for (const order of orders) held.add(order.id);
}

/** The order, locked for this transaction: from its identity map when it holds the lock already. */
async function lockedOrder(ctx: ServiceContext, id: string): Promise<Order | null> {
  const held = lockedOrders.get(ctx.em.getTransactionContext() ?? {})?.has(id);
  const inMap = held ? ctx.em.getUnitOfWork().getById<Order>(Order.name, id) : undefined;
  if (inMap) return inMap;
  const order = await ctx.em.findOne(Order, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (order) holdsLocked(ctx, [order]);
  return order;
}

/** One move of the state machine: checked against the table, recorded, stamped, and heard of. */
async function move(tx: Tx, input: TransitionOrderInput, caseId?: string): Promise<{ order: Order }> {
  const { em } = tx;
  const order = await lockedOrder(tx, input.orderId);
  if (!order) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such order', ['input', 'orderId'])]);
  const now = tx.now();
  const at = input.at ?? now;
  const violation = transitionViolation(order, input.to, at, now);
  if (violation) {
    const code = violation.field[0] === 'to' ? RefusalCode.ILLEGAL_TRANSITION : RefusalCode.INVALID_INPUT;
    throw new Refused([refusal(code, violation.message, ['input', ...violation.field])]);
  }
  recordTransition(
    em,
    OrderStatusChange,
    { key: 'order', subject: order },
    { to: input.to, actor: tx.actorLabel, reason: input.reason, at },
  );
  const stamp = TIMESTAMP_OF_STATUS[input.to as keyof typeof TIMESTAMP_OF_STATUS];
  order[stamp] = at;
  // What this transaction read of the order with its buyer moves with it.
  const remembered = tx.memo.get<Order>(ORDERS_WITH_BUYER, order.id);
  if (remembered) Object.assign(remembered, { status: order.status, [stamp]: at });
  // Only a shipment's event names the products (for their scores); other moves need no lines.
  const productIds =
    input.to === OrderStatus.SHIPPED
      ? (await em.find(OrderLine, { order }, { orderBy: { lineNo: 'asc' } })).map((line) => line.product.id)
      : [];
  // Only the move just made: an order delivered now was shipped, and heard of, before.
  const events = eventsOf(order, productIds, input.reason)
    .filter((event) => event.type === EVENT_OF_STATUS[input.to])
    .map((event) => (caseId && event.type === 'OrderRefunded' ? { ...event, caseId } : event));
  await tx.emit(...events);
  return { order };
}

const EVENT_OF_STATUS: Partial<Record<OrderStatus, DomainEvent['type']>> = {
  [OrderStatus.SHIPPED]: 'OrderShipped',
  [OrderStatus.COMPLETED]: 'OrderCompleted',
  [OrderStatus.REFUNDED]: 'OrderRefunded',
  [OrderStatus.CANCELLED]: 'OrderCancelled',
  [OrderStatus.VOIDED]: 'OrderVoided',
};
