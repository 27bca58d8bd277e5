import { readAhead, ReadsParentIdOnly } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, decodeInput, optionalLocalId, requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import { asksOnlyId, connectionAsk, selectedFields } from '../../graphql/selection';
import { toPayload } from '../../graphql/user-error';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import { buyersService } from '../buyers/buyers.service';
import { BuyerNode } from '../buyers/buyers.types';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { productsService } from '../products/products.service';
import { ProductNode } from '../products/products.types';
import { Order, OrderLine } from './order.entity';
import type { OrderListArgs as DomainListArgs } from './orders.query';
import { type IngestRequest, ordersService } from './orders.service';
import {
  IngestOrdersPayload,
  OrderConnection,
  OrderFilter,
  OrderInput,
  OrderLineNode,
  OrderNode,
  OrderSort,
  OrderStatusChangeNode,
  TransitionOrderInput,
  TransitionOrderPayload,
  VoidOrderInput,
} from './orders.types';

@ArgsType()
class OrderListArgs extends PageArgs {
  @Field(() => OrderFilter, { nullable: true })
  filter?: OrderFilter | null;

  @Field(() => OrderSort, { nullable: true, description: 'Default: PAID_AT, newest first.' })
  sort?: OrderSort | null;
}

/** The list arguments with the filter's global ids decoded. */
function listArgs(args: OrderListArgs): DomainListArgs {
  const { filter } = args;
  if (!filter) return args as DomainListArgs;
  return {
    ...args,
    filter: {
      ...filter,
      merchantId: optionalLocalId('Merchant', filter.merchantId, 'filter.merchantId'),
      buyerId: optionalLocalId('Buyer', filter.buyerId, 'filter.buyerId'),
    },
  };
}

/** Decodes an ingest item's ids; those that do not decode reject the item at their path. */
function ingestRequest(sent: OrderInput, index: number): IngestRequest {
  const { value, refusals } = decodeInput(['input', index], (ids) => ({
    ...sent,
    merchantId: ids.id('Merchant', sent.merchantId, 'merchantId'),
    buyerId: ids.id('Buyer', sent.buyerId, 'buyerId'),
    lines: sent.lines.map((line, i) => ({
      ...line,
      productId: ids.id('Product', line.productId, 'lines', i, 'productId'),
    })),
  }));
  return { item: { ...value, refusals }, sent };
}

@Resolver(() => OrderNode)
export class OrdersResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => OrderNode, { nullable: true })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const orderId = requireLocalId('Order', id, 'id');
    readAhead(orderId, ctx, info);
    return ordersService.load(ctx, orderId, selectedFields(info));
  }

  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => OrderConnection, { description: 'All orders for staff; only its own for a merchant.' })
  orders(@Args(() => OrderListArgs) args: OrderListArgs, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    return ordersService.list(ctx, listArgs(args), connectionAsk(info));
  }

  @FieldResolver(() => ID)
  id(@Root() order: Order) {
    return toGlobalId('Order', order.id);
  }

  // Read ahead, the order is its id alone: its merchant and buyer are read through it.
  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantNode)
  merchant(@Root() order: Order, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!order.merchant) {
      return merchantsService.loadOf(ctx, { entity: Order, property: 'merchant', id: order.id }, selectedFields(info));
    }
    const { id } = order.merchant;
    return asksOnlyId(info)
      ? merchantsService.reference(ctx, id)
      : merchantsService.load(ctx, id, selectedFields(info));
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => BuyerNode)
  buyer(@Root() order: Order, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!order.buyer) {
      return buyersService.loadOf(ctx, { entity: Order, property: 'buyer', id: order.id }, selectedFields(info));
    }
    const { id } = order.buyer;
    return asksOnlyId(info) ? buyersService.reference(ctx, id) : buyersService.load(ctx, id, selectedFields(info));
  }

  @FieldResolver(() => [OrderLineNode])
  lines(@Root() order: Order, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    return ordersService.lines(ctx, order, selectedFields(info));
  }

  @FieldResolver(() => Money, { description: 'Paid by the buyer, excluding shipping.' })
  paidAmount(@Root() order: Order) {
    return Money.fromFen(order.paidAmount);
  }

  @FieldResolver(() => Money)
  shippingFee(@Root() order: Order) {
    return Money.fromFen(order.shippingFee);
  }

  @FieldResolver(() => Money, { description: 'Promotion fee (推广费); zero unless promoted.' })
  promotionFee(@Root() order: Order) {
    return Money.fromFen(order.promotionFee);
  }

  @FieldResolver(() => [OrderStatusChangeNode], { description: 'Every status change, oldest first.' })
  statusHistory(@Root() order: Order, @Ctx() ctx: RequestContext) {
    return ordersService.statusHistory(ctx, order);
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => IngestOrdersPayload, {
    description: 'Stores up to 1,000 platform orders. Idempotent on (platform, externalNumber); one result per item.',
  })
  async ingestOrders(@Arg('input', () => [OrderInput]) input: OrderInput[], @Ctx() ctx: RequestContext) {
    const outcome = await ordersService.ingest(ctx, input.map(ingestRequest));
    return toPayload({
      ...outcome,
      results: outcome.results?.map(({ refusals, ...result }) => ({ ...result, userErrors: refusals })),
    });
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => TransitionOrderPayload, {
    description: 'Moves an order along its state machine and records the move.',
  })
  async transitionOrder(
    @Arg('input', () => TransitionOrderInput) input: TransitionOrderInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({
        ...input,
        orderId: ids.id('Order', input.orderId, 'orderId'),
      }),
      (value) => ordersService.transition(ctx, value),
    );
  }

  @Allow(Role.MERCHANT, Role.INGEST, Role.ADMIN)
  @Mutation(() => TransitionOrderPayload, {
    description:
      'Voids an order whose price was set by mistake, before it completes (a merchant: its own orders). ' +
      "The buyer gets the policy's price-error compensation from the platform.",
  })
  async voidOrderForPriceError(@Arg('input', () => VoidOrderInput) input: VoidOrderInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, orderId: ids.id('Order', input.orderId, 'orderId') }),
      (value) => ordersService.voidForPriceError(ctx, value),
    );
  }
}

@Resolver(() => OrderLineNode)
export class OrderLineResolver {
  @FieldResolver(() => ProductNode)
  product(@Root() line: OrderLine, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const { id } = line.product;
    return asksOnlyId(info) ? productsService.reference(ctx, id) : productsService.load(ctx, id);
  }

  @FieldResolver(() => Money)
  unitPrice(@Root() line: OrderLine) {
    return Money.fromFen(line.unitPrice);
  }

  @FieldResolver(() => Money, { description: 'quantity × unitPrice.' })
  amount(@Root() line: OrderLine) {
    return Money.fromFen(BigInt(line.unitPrice) * BigInt(line.quantity));
  }
}

/**
 * The buyer fields a page of orders asks of each order's buyer, when they need its row: not when the
 * buyer is not asked, when only its id is (the order's key answers), or when fragments hide what is.
 */
function buyerFieldsToRead(info: GraphQLResolveInfo): ReadonlySet<string> | null {
  const fields = selectedFields(info, ['edges', 'node', 'buyer']);
  if (!fields || !fields.size || [...fields].every((field) => field === 'id' || field === '__typename')) return null;
  return fields;
}

@Resolver(() => MerchantNode)
export class MerchantOrdersResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => OrderConnection, { description: "The merchant's orders; default newest first." })
  orders(
    @Root() merchant: { id: string },
    @Args(() => OrderListArgs) args: OrderListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ordersService.ofMerchant(ctx, merchant.id, listArgs(args), connectionAsk(info), buyerFieldsToRead(info));
  }
}

@Resolver(() => BuyerNode)
export class BuyerOrdersResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => OrderConnection, { description: "The buyer's orders; default newest first." })
  orders(
    @Root() buyer: { id: string },
    @Args(() => OrderListArgs) args: OrderListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ordersService.ofBuyer(ctx, buyer.id, listArgs(args), connectionAsk(info));
  }
}
