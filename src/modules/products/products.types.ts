import { Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { Product } from './product.entity';

registerNodeEntity(Product, 'Product');

@ObjectType('Product', { implements: Node, description: 'A product (商品) of one merchant.' })
export class ProductNode extends Node {
  @Field(() => String, { description: "The merchant's product code." })
  externalId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  category!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('ProductPricePoint', { description: 'A price the product had from `effectiveFrom` on.' })
export class ProductPricePointNode {
  @Field(() => Date)
  effectiveFrom!: Date;
}

export const ProductConnection = ConnectionType('Product', ProductNode);

@InputType()
export class UpsertProductInput {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => String, {
    description: "The merchant's product code; created when new for this merchant, else updated.",
  })
  @Length(1, 64)
  externalId!: string;

  @Field(() => String)
  @Length(1, 200)
  title!: string;

  @Field(() => String)
  @Length(1, 100)
  category!: string;

  @Field(() => YuanAmountScalar, { description: 'Current price in yuan; a change is added to the price history.' })
  price!: number;
}

@ObjectType()
export class UpsertProductPayload {
  @Field(() => ProductNode, { nullable: true })
  product?: Product | null;

  @Field(() => Boolean, { nullable: true })
  created?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'The new price was far below the product’s median and is held: a LOW_PRICE warning asks the merchant to confirm it.',
  })
  priceHeld?: boolean | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
