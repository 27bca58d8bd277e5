import { IsOptional, Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeRange, StatusChangeType } from '../../graphql/common.types';
import { ConnectionType, SortDirection, SortInputType } from '../../graphql/connection';
import { YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { OrderStatus, Province, SalesPlatform } from '../../shared/enums';
import type { FieldReads } from '../../db/tenant-db';
import { Order } from './order.entity';

registerNodeEntity(Order, 'Order');

/**
 * What the Order fields that are no column of their own read, for reads that fetch only the columns a
 * selection needs: the lists under an order (its own and other modules') start from its id.
 */
export const ORDER_FIELD_READS: FieldReads = { lines: [], statusHistory: [], afterSalesCases: [] };

/** The same for an order line: its amount is quantity × unit price. */
export const ORDER_LINE_FIELD_READS: FieldReads = { amount: ['quantity', 'unitPrice'] };

@ObjectType('Order', {
  implements: Node,
  description: 'A sub-order (子订单): one merchant, one buyer, its product lines.',
})
export class OrderNode extends Node {
  @Field(() => SalesPlatform)
  platform!: SalesPlatform;

  @Field(() => String, { description: "The platform's order number; unique per platform." })
  externalNumber!: string;

  @Field(() => OrderStatus)
  status!: OrderStatus;

  @Field(() => Province)
  destinationRegion!: Province;

  @Field(() => Boolean, { description: 'Delivered to a remote region (电商西进); the platform pays the transfer fee.' })
  remoteRegion!: boolean;

  @Field(() => Boolean)
  promoted!: boolean;

  @Field(() => Boolean, { description: 'Custom / made-to-order (定制).' })
  custom!: boolean;

  @Field(() => Boolean, { description: 'Hosted (托管): no technical service fee.' })
  hosted!: boolean;

  @Field(() => Date)
  paidAt!: Date;

  @Field(() => Date)
  shipBy!: Date;

  @Field(() => Date, { nullable: true })
  shippedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt?: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt?: Date | null;

  @Field(() => Date, { nullable: true })
  refundedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Voided for a price set by mistake.' })
  voidedAt?: Date | null;
}

@ObjectType('OrderLine')
export class OrderLineNode {
  @Field(() => Int)
  lineNo!: number;

  @Field(() => Int)
  quantity!: number;
}

export const OrderStatusChangeNode = StatusChangeType('OrderStatusChange', OrderStatus, {
  description: 'One move of the order state machine.',
  fromStatus: 'Null for the entry written when the order was ingested.',
});

export const OrderConnection = ConnectionType('Order', OrderNode);

@InputType()
export class OrderFilter {
  @Field(() => ID, { nullable: true })
  merchantId?: string | null;

  @Field(() => ID, { nullable: true })
  buyerId?: string | null;

  @Field(() => [OrderStatus], { nullable: true })
  status?: OrderStatus[] | null;

  @Field(() => SalesPlatform, { nullable: true })
  platform?: SalesPlatform | null;

  @Field(() => [Province], { nullable: true })
  destinationRegion?: Province[] | null;

  @Field(() => Boolean, { nullable: true })
  remoteRegion?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  promoted?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  custom?: boolean | null;

  @Field(() => DateTimeRange, { nullable: true })
  paidAt?: DateTimeRange | null;
}

export enum OrderSortField {
  PAID_AT = 'PAID_AT',
  PAID_AMOUNT = 'PAID_AMOUNT',
}
registerEnumType(OrderSortField, { name: 'OrderSortField' });

export const OrderSort = SortInputType('Order', OrderSortField, SortDirection.DESC);
export type OrderSort = InstanceType<typeof OrderSort>;

@InputType()
export class OrderLineInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => YuanAmountScalar)
  unitPrice!: number;
}

@InputType({ description: 'An order as the platform reports it.' })
export class OrderInput {
  @Field(() => SalesPlatform)
  platform!: SalesPlatform;

  @Field(() => String)
  @Length(1, 64)
  externalNumber!: string;

  @Field(() => ID)
  merchantId!: string;

  @Field(() => ID)
  buyerId!: string;

  @Field(() => [OrderLineInput])
  lines!: OrderLineInput[];

  @Field(() => YuanAmountScalar, { description: 'Paid by the buyer, excluding shipping.' })
  paidAmount!: number;

  @Field(() => YuanAmountScalar)
  shippingFee!: number;

  @Field(() => Province)
  destinationRegion!: Province;

  @Field(() => Boolean, { defaultValue: false })
  promoted: boolean = false;

  @Field(() => YuanAmountScalar, { nullable: true, description: 'Promotion fee (推广费) paid for a promoted order.' })
  @IsOptional()
  promotionFee?: number | null;

  @Field(() => Boolean, { defaultValue: false })
  custom: boolean = false;

  @Field(() => Boolean, { defaultValue: false })
  hosted: boolean = false;

  @Field(() => OrderStatus, { defaultValue: OrderStatus.PAID })
  status: OrderStatus = OrderStatus.PAID;

  @Field(() => Date)
  paidAt!: Date;

  @Field(() => Date, { nullable: true, description: "Default: paidAt plus the policy's shipping window (48 h)." })
  shipBy?: Date | null;

  @Field(() => Date, { nullable: true })
  shippedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt?: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt?: Date | null;

  @Field(() => Date, { nullable: true })
  refundedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Voided for a price set by mistake.' })
  voidedAt?: Date | null;
}

export enum IngestOutcome {
  CREATED = 'CREATED',
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}
registerEnumType(IngestOutcome, {
  name: 'IngestOutcome',
  description:
    'CREATED: stored now. DUPLICATE: already stored with the same content; nothing changed. REJECTED: see userErrors; nothing stored.',
});

@ObjectType()
export class IngestOrderResult {
  @Field(() => Int, { description: 'Position of the item in the input list.' })
  index!: number;

  @Field(() => String)
  externalNumber!: string;

  @Field(() => IngestOutcome)
  outcome!: IngestOutcome;

  @Field(() => OrderNode, { nullable: true })
  order?: Order | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class IngestOrdersPayload {
  @Field(() => [IngestOrderResult], { description: 'One result per input item, in input order.' })
  results!: IngestOrderResult[];

  @Field(() => Int)
  createdCount!: number;

  @Field(() => Int)
  duplicateCount!: number;

  @Field(() => Int)
  rejectedCount!: number;

  @Field(() => [UserError], {
    description: 'Errors of the whole call (empty or oversize batch); item errors are on each result.',
  })
  userErrors!: UserError[];
}

@InputType()
export class TransitionOrderInput {
  @Field(() => ID)
  orderId!: string;

  @Field(() => OrderStatus)
  to!: OrderStatus;

  @Field(() => String)
  @Length(1, 2000)
  reason!: string;

  @Field(() => Date, { nullable: true, description: 'When it happened; default now.' })
  at?: Date | null;
}

@ObjectType()
export class TransitionOrderPayload {
  @Field(() => OrderNode, { nullable: true })
  order?: Order | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class VoidOrderInput {
  @Field(() => ID)
  orderId!: string;

  @Field(() => String, { description: 'What was wrong with the price; kept in the order history.' })
  @Length(1, 2000)
  reason!: string;
}
