import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Page, paginate } from '../../graphql/connection';
import { parseIdInput, requireLocalId } from '../../graphql/ids';
import { UserErrorCode, UserInputFailure, userError, type UserError } from '../../graphql/user-error';
import { runMutation } from '../../db/transaction';
import { policiesService } from '../policies/policies.service';
import { versionInForce } from '../policies/policies.rules';
import type { PolicySnapshot } from '../policies/policies.rules';
import type { RequestContext } from '../../server/context';
import { buyersService } from '../buyers/buyers.service';
import { merchantsService } from '../merchants/merchants.service';
import { productsService } from '../products/products.service';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import { actorLabel } from '../../security/actor';
import { OrderStatus } from '../../shared/enums';
import { trustService } from '../trust/trust.service';
import { ORDER_TABLE, orderSort, orderWhere, type OrderListArgs } from './orders.query';
import {
  contentHash,
  defaultShipBy,
  isRemoteRegion,
  MAX_INGEST_BATCH,
  orderFactsViolations,
  TIMESTAMP_OF_STATUS,
  transitionViolation,
} from './orders.rules';
import { IngestOrderResult, IngestOutcome, type OrderInput, type TransitionOrderInput } from './orders.types';
import { sqlFirst } from '../../db/sql';

/** An input item with its ids decoded, or the errors that stop it. */
interface ParsedItem {
  index: number;
  input: OrderInput;
  merchantId: string | null;
  buyerId: string | null;
  productIds: (string | null)[];
  errors: UserError[];
  hash: string;
}

function parseItem(input: OrderInput, index: number, now: Date): ParsedItem {
  const errors: UserError[] = [];
  const path = ['input', index];
  const merchantId = parseIdInput('Merchant', input.merchantId, [...path, 'merchantId'], errors);
  const buyerId = parseIdInput('Buyer', input.buyerId, [...path, 'buyerId'], errors);
  const productIds = input.lines.map((line, i) =>
    parseIdInput('Product', line.productId, [...path, 'lines', i, 'productId'], errors),
  );
  const promotionFee = input.promotionFee ?? 0;
  for (const violation of orderFactsViolations({ ...input, promotionFee }, now)) {
    errors.push(userError(UserErrorCode.INVALID_INPUT, violation.message, [...path, ...violation.field]));
  }
  // The hash covers what the platform sent, not derived values, so a policy change cannot turn a
  // re-sent order into a conflict.
  const hash = contentHash({ ...input, promotionFee });
  return { index, input, merchantId, buyerId, productIds, errors, hash };
}

function rejected(item: ParsedItem, errors: UserError[]): IngestOrderResult {
  return Object.assign(new IngestOrderResult(), {
    index: item.index,
    externalNumber: item.input.externalNumber,
    outcome: IngestOutcome.REJECTED,
    order: null,
    userErrors: errors,
  });
}

function accepted(item: ParsedItem, outcome: IngestOutcome, order: Order): IngestOrderResult {
  return Object.assign(new IngestOrderResult(), {
    index: item.index,
    externalNumber: item.input.externalNumber,
    outcome,
    order,
    userErrors: [],
  });
}

const orderKey = (platform: string, externalNumber: string) => `${platform}\u0000${externalNumber}`;

async function findExisting(em: EntityManager, items: ParsedItem[]): Promise<Map<string, Order>> {
  const numbersByPlatform = new Map<string, string[]>();
  for (const { input } of items) {
    numbersByPlatform.set(input.platform, [...(numbersByPlatform.get(input.platform) ?? []), input.externalNumber]);
  }
  if (!numbersByPlatform.size) return new Map();
  const found = await em.find(Order, {
    $or: [...numbersByPlatform].map(([platform, numbers]) => ({
      platform: platform as Order['platform'],
      externalNumber: { $in: numbers },
    })),
  });
  return new Map(found.map((order) => [orderKey(order.platform, order.externalNumber), order]));
}

function createOrder(
  em: EntityManager,
  item: ParsedItem,
  timeline: PolicySnapshot[],
  actorId: string,
  refs: { merchant: Order['merchant']; buyer: Order['buyer']; products: OrderLine['product'][] },
): Order {
  const { input } = item;
  // The rules in force when the order was paid.
  const policy = versionInForce(timeline, input.paidAt).numbers;
  const order = em.create(Order, {
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
    contentHash: item.hash,
  });
  input.lines.forEach((line, i) =>
    em.create(OrderLine, { order, lineNo: i + 1, product: refs.products[i], quantity: line.quantity, unitPrice: line.unitPrice }),
  );
  em.create(OrderStatusChange, {
    order,
    fromStatus: null,
    toStatus: order.status,
    actor: actorId,
    reason: 'ingested',
    changedAt: new Date(),
  });
  return order;
}

export const ordersService = {
  /**
   * Repeat buyers of a merchant since `since`: how many distinct buyers ordered, and how many of them
   * ordered more than once (cancelled orders do not count). Feeds the interim high-repurchase rule.
   */
  async repurchaseStats(em: EntityManager, merchantId: string, since: Date, until: Date): Promise<{ buyers: number; repeatBuyers: number }> {
    const perBuyer = em
      .getKnex()('order')
      .select('buyer_id')
      .count({ n: '*' })
      .where('merchant_id', merchantId)
      .whereNot('status', 'CANCELLED')
      .where('paid_at', '>=', since)
      .where('paid_at', '<', until)
      .groupBy('buyer_id')
      .as('per_buyer');
    const qb = em.getKnex().from(perBuyer).select(em.getKnex().raw('count(*)::int as buyers, count(*) filter (where n > 1)::int as repeat_buyers'));
    const row = (await sqlFirst(em, qb))!;
    return { buyers: Number(row.buyers), repeatBuyers: Number(row.repeat_buyers) };
  },

  /** Paid amount (excluding shipping) of the merchant's orders completed in [from, to). */
  async completedSales(em: EntityManager, merchantId: string, from: Date, to: Date): Promise<number> {
    const qb = em
      .getKnex()('order')
      .sum({ sales: 'paid_amount' })
      .where({ merchant_id: merchantId, status: 'COMPLETED' })
      .where('completed_at', '>=', from)
      .where('completed_at', '<', to);
    return Number((await sqlFirst(em, qb))?.sales ?? 0);
  },

  /** For other modules' transactions: an order by id (row-level security applies). */
  findById(em: EntityManager, id: string): Promise<Order | null> {
    return em.findOne(Order, { id }, { populate: ['buyer'] });
  },

  byId(ctx: RequestContext, globalId: string): Promise<Order | null> {
    return ctx.loaders.orders.byId.load(requireLocalId('Order', globalId, 'id'));
  },

  load(ctx: RequestContext, id: string): Promise<Order | null> {
    return ctx.loaders.orders.byId.load(id);
  },

  list(ctx: RequestContext, args: OrderListArgs): Promise<Page<Order>> {
    return paginate(ctx.db, Order, { ...ORDER_TABLE, where: orderWhere(args.filter), sort: orderSort(args.sort), page: args });
  },

  ofMerchant(ctx: RequestContext, merchantId: string, args: OrderListArgs): Promise<Page<Order>> {
    return ctx.loaders.orders.byMerchant.load({ parentId: merchantId, args });
  },

  ofBuyer(ctx: RequestContext, buyerId: string, args: OrderListArgs): Promise<Page<Order>> {
    return ctx.loaders.orders.byBuyer.load({ parentId: buyerId, args });
  },

  lines(ctx: RequestContext, order: Order): Promise<OrderLine[]> {
    return ctx.loaders.orders.lines.load(order.id);
  },

  statusHistory(ctx: RequestContext, order: Order): Promise<OrderStatusChange[]> {
    return ctx.loaders.orders.statusHistory.load(order.id);
  },

  /**
   * Stores a batch of platform orders. Each item is created, recognised as a duplicate (same
   * platform, number and content: nothing changes) or rejected with its errors; the accepted items
   * of the call commit together in one transaction. The statement count depends on the batch, not on
   * its size: one lookup per referenced kind and one insert per table.
   */
  async ingest(ctx: RequestContext, inputs: OrderInput[]) {
    const empty = { results: [], createdCount: 0, duplicateCount: 0, rejectedCount: 0 };
    if (inputs.length === 0) {
      return { ...empty, userErrors: [userError(UserErrorCode.BATCH_EMPTY, 'send at least one order', ['input'])] };
    }
    if (inputs.length > MAX_INGEST_BATCH) {
      return {
        ...empty,
        userErrors: [
          userError(UserErrorCode.BATCH_TOO_LARGE, `send at most ${MAX_INGEST_BATCH} orders per call (got ${inputs.length})`, ['input']),
        ],
      };
    }
    const payload = await runMutation(ctx, async (em) => {
      const now = new Date();
      const items = inputs.map((input, index) => parseItem(input, index, now));
      const ids = (pick: (item: ParsedItem) => (string | null)[]) =>
        [...new Set(items.flatMap(pick).filter((id): id is string => id !== null))];
      // One after another: a transaction is one connection, which runs one statement at a time.
      const merchants = await merchantsService.findByIds(em, ids((item) => [item.merchantId]));
      const buyers = await buyersService.findByIds(em, ids((item) => [item.buyerId]));
      const products = await productsService.findByIds(em, ids((item) => item.productIds));
      const existing = await findExisting(em, items);
      const timeline = await policiesService.timelineIn(em);
      const merchantById = new Map(merchants.map((m) => [m.id, m]));
      const buyerById = new Map(buyers.map((b) => [b.id, b]));
      const productById = new Map(products.map((p) => [p.id, p]));

      const results = items.map((item) => {
        const path = ['input', item.index];
        const errors = [...item.errors];
        const merchant = item.merchantId ? merchantById.get(item.merchantId) : undefined;
        const buyer = item.buyerId ? buyerById.get(item.buyerId) : undefined;
        if (item.merchantId && !merchant) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such merchant', [...path, 'merchantId']));
        if (item.buyerId && !buyer) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such buyer', [...path, 'buyerId']));
        const lineProducts = item.productIds.map((id, i) => {
          const product = id ? productById.get(id) : undefined;
          const field = [...path, 'lines', i, 'productId'];
          if (id && !product) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such product', field));
          if (product && merchant && product.merchant.id !== merchant.id) {
            errors.push(userError(UserErrorCode.INVALID_INPUT, 'the product belongs to another merchant', field));
          }
          return product!;
        });

        const key = orderKey(item.input.platform, item.input.externalNumber);
        const previous = existing.get(key);
        if (previous && previous.contentHash !== item.hash) {
          errors.push(
            userError(
              UserErrorCode.DUPLICATE_CONFLICT,
              `order ${item.input.externalNumber} on ${item.input.platform} was already ingested with different content`,
              [...path, 'externalNumber'],
            ),
          );
        }
        if (errors.length) return rejected(item, errors);
        if (previous) return accepted(item, IngestOutcome.DUPLICATE, previous);
        const order = createOrder(em, item, timeline, actorLabel(ctx.actor), { merchant: merchant!, buyer: buyer!, products: lineProducts });
        existing.set(key, order); // a repeat later in the same batch is a duplicate of this one
        return accepted(item, IngestOutcome.CREATED, order);
      });
      const count = (outcome: IngestOutcome) => results.filter((r) => r.outcome === outcome).length;
      return {
        results,
        createdCount: count(IngestOutcome.CREATED),
        duplicateCount: count(IngestOutcome.DUPLICATE),
        rejectedCount: count(IngestOutcome.REJECTED),
      };
    });
    return { ...empty, ...payload };
  },

  transition(ctx: RequestContext, input: TransitionOrderInput) {
    return runMutation(ctx, async (em) => {
      const errors: UserError[] = [];
      const id = parseIdInput('Order', input.orderId, ['input', 'orderId'], errors);
      if (!id) throw new UserInputFailure(errors);
      const order = await em.findOne(Order, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!order) throw new UserInputFailure([userError(UserErrorCode.NOT_FOUND, 'no such order', ['input', 'orderId'])]);
      const now = new Date();
      const at = input.at ?? now;
      const violation = transitionViolation(order, input.to, at, now);
      if (violation) {
        const code = violation.field[0] === 'to' ? UserErrorCode.ILLEGAL_TRANSITION : UserErrorCode.INVALID_INPUT;
        throw new UserInputFailure([userError(code, violation.message, ['input', ...violation.field])]);
      }
      em.create(OrderStatusChange, {
        order,
        fromStatus: order.status,
        toStatus: input.to,
        actor: actorLabel(ctx.actor),
        reason: input.reason,
        changedAt: at,
      });
      order.status = input.to;
      order[TIMESTAMP_OF_STATUS[input.to as keyof typeof TIMESTAMP_OF_STATUS]] = at;
      // Shipping on time or late is a trust-score fact; it moves the scores in this same transaction.
      if (input.to === OrderStatus.SHIPPED) await trustService.recordShipment(ctx, em, order);
      return { order };
    });
  },
};
