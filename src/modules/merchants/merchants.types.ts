import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeRange, StatusChangeType } from '../../graphql/common.types';
import { ConnectionType, SortDirection, SortInputType } from '../../graphql/connection';
import { YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { MerchantStatus, MerchantTier, Province } from '../../shared/enums';
import type { FieldReads } from '../../db/tenant-db';
import { Merchant, MerchantStatusChange } from './merchant.entity';

registerNodeEntity(Merchant, 'Merchant');
registerNodeEntity(MerchantStatusChange, 'MerchantStatusChangeNode');

/**
 * What the Merchant fields that are no column of their own read, for reads that fetch only the
 * columns a selection needs: its history and what other modules hang under a merchant start from its
 * id (their resolvers take a `{ id }` root). A field not listed here reads every column.
 */
export const MERCHANT_FIELD_READS: FieldReads = {
  statusHistory: [],
  afterSalesCases: [],
  appeals: [],
  auditLog: [],
  forceMajeureReports: [],
  ledger: [],
  orders: [],
  products: [],
  refundOnlyBreaker: [],
  subsidies: [],
  subsidyAllowance: [],
  trust: [],
  warnings: [],
};

@ObjectType('Merchant', { implements: Node, description: 'A shop (商家) on the platform.' })
export class MerchantNode extends Node {
  @Field(() => String, { description: "The platform's own shop id." })
  externalId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => MerchantTier)
  tier!: MerchantTier;

  @Field(() => MerchantStatus)
  status!: MerchantStatus;

  @Field(() => String)
  mainCategory!: string;

  @Field(() => Province)
  region!: Province;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export const MerchantStatusChangeNode = StatusChangeType('MerchantStatusChangeNode', MerchantStatus, {
  implements: Node,
  description:
    'One status change. A warning, restriction or clearance is a penalty: its id is the subject of a PENALTY appeal.',
});

export const MerchantConnection = ConnectionType('Merchant', MerchantNode);

@InputType()
export class MerchantFilter {
  @Field(() => [MerchantTier], { nullable: true })
  tier?: MerchantTier[] | null;

  @Field(() => [MerchantStatus], { nullable: true })
  status?: MerchantStatus[] | null;

  @Field(() => [Province], { nullable: true })
  region?: Province[] | null;

  @Field(() => String, { nullable: true })
  mainCategory?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  @IsOptional()
  @MaxLength(100)
  nameContains?: string | null;

  @Field(() => DateTimeRange, { nullable: true })
  createdAt?: DateTimeRange | null;
}

export enum MerchantSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(MerchantSortField, { name: 'MerchantSortField' });

export const MerchantSort = SortInputType('Merchant', MerchantSortField, SortDirection.ASC);
export type MerchantSort = InstanceType<typeof MerchantSort>;

@InputType()
export class UpsertMerchantInput {
  @Field(() => String, { description: "The platform's shop id; the merchant is created when it is new, else updated." })
  @Length(1, 64)
  externalId!: string;

  @Field(() => String)
  @Length(1, 200)
  name!: string;

  @Field(() => MerchantTier)
  tier!: MerchantTier;

  @Field(() => String)
  @Length(1, 100)
  mainCategory!: string;

  @Field(() => Province)
  region!: Province;

  @Field(() => YuanAmountScalar, { description: 'Store deposit (保证金) in yuan.' })
  deposit!: number;
}

@ObjectType()
export class UpsertMerchantPayload {
  @Field(() => MerchantNode, { nullable: true })
  merchant?: Merchant | null;

  @Field(() => Boolean, { nullable: true, description: 'True when this call created the merchant.' })
  created?: boolean | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class SetMerchantStatusInput {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => MerchantStatus)
  status!: MerchantStatus;

  @Field(() => String, { description: 'Why; shown to the merchant and kept in the status history.' })
  @Length(1, 2000)
  reason!: string;
}

@ObjectType()
export class SetMerchantStatusPayload {
  @Field(() => MerchantNode, { nullable: true })
  merchant?: Merchant | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
