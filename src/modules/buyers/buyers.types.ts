import { Length } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { BuyerFlag } from '../../shared/enums';
import { registerEnumType } from 'type-graphql';
import type { FieldReads } from '../../db/tenant-db';
import { Buyer } from './buyer.entity';

registerNodeEntity(Buyer, 'Buyer');

/** What the Buyer fields that are no column of their own read (see `ORDER_FIELD_READS`). */
export const BUYER_FIELD_READS: FieldReads = {
  flags: ['superBuyer', 'malicious'],
  risk: ['malicious'],
  orders: [],
  refundOnlyBreaker: [],
};
registerEnumType(BuyerFlag, {
  name: 'BuyerFlag',
  description: 'SUPER_BUYER: large annual purchases (超级买家). MALICIOUS: tagged by risk review.',
});

@ObjectType('Buyer', { implements: Node, description: 'A consumer (消费者).' })
export class BuyerNode extends Node {
  @Field(() => String)
  externalId!: string;

  @Field(() => String)
  nickname!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType()
export class UpsertBuyerInput {
  @Field(() => String, { description: "The platform's buyer id; created when new, else updated." })
  @Length(1, 64)
  externalId!: string;

  @Field(() => String)
  @Length(1, 100)
  nickname!: string;

  @Field(() => [BuyerFlag], { defaultValue: [] })
  flags!: BuyerFlag[];
}

@ObjectType()
export class UpsertBuyerPayload {
  @Field(() => BuyerNode, { nullable: true })
  buyer?: Buyer | null;

  @Field(() => Boolean, { nullable: true })
  created?: boolean | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
