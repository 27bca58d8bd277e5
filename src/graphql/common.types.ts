import { Field, InputType, registerEnumType } from 'type-graphql';
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
