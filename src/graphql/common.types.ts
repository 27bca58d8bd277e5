import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MerchantStatus, MerchantTier, OrderStatus, Province, SalesPlatform } from '../shared/enums';

registerEnumType(MerchantTier, { name: 'MerchantTier', description: 'Merchant programme tier.' });
registerEnumType(MerchantStatus, {
  name: 'MerchantStatus',
  description: 'Store standing. Clearing (CLEARED, 清退) must be preceded by a warning and can be appealed.',
});
registerEnumType(OrderStatus, { name: 'OrderStatus' });
registerEnumType(SalesPlatform, { name: 'SalesPlatform', description: 'Where an order was placed.' });
registerEnumType(Province, { name: 'Province', description: 'Provincial-level division of China (GB/T 2260).' });

@InputType({ description: 'A half-open time range: from ≤ t < to. Either end may be omitted.' })
export class DateTimeRange {
  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

/**
 * Declares a state machine's history type (`OrderStatusChange`, ...): one move with its actor,
 * reason and times, the states typed by the machine's own enum. Rows come from `recordTransition`.
 */
export function StatusChangeType<S extends string>(
  name: string,
  statusEnum: Record<string, S>,
  docs: { description?: string; fromStatus?: string; implements?: abstract new () => object } = {},
) {
  @ObjectType(name, { description: docs.description, implements: docs.implements })
  class StatusChange {
    @Field(() => statusEnum, { nullable: true, description: docs.fromStatus })
    fromStatus?: S | null;

    @Field(() => statusEnum)
    toStatus!: S;

    @Field(() => String)
    actor!: string;

    @Field(() => String)
    reason!: string;

    @Field(() => Date, { description: 'When it happened (may be back-dated by the platform).' })
    changedAt!: Date;

    @Field(() => Date, { description: 'When the gateway recorded it; history is in this order.' })
    createdAt!: Date;
  }
  return StatusChange;
}
