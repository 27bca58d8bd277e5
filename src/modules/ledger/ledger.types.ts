import { IsOptional, Length, Matches } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../graphql/connection';
import { Money, YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import type { FieldReads } from '../../db/tenant-db';
import { LedgerTransaction } from './ledger.entity';
import { AccountKind, FundCode, LedgerKind } from './ledger.enums';

registerNodeEntity(LedgerTransaction, 'LedgerTransaction');

/** What the LedgerTransaction fields that are no column of their own read (see `ORDER_FIELD_READS`). */
export const LEDGER_TRANSACTION_FIELD_READS: FieldReads = { reversedBy: [], entries: [] };

@ObjectType('LedgerTransaction', {
  implements: Node,
  description: 'A balanced, append-only movement of money, with its cause.',
})
export class LedgerTransactionNode extends Node {
  @Field(() => LedgerKind) kind!: LedgerKind;
  @Field(() => String) idempotencyKey!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Month (YYYY-MM, China time) of a monthly cap, ALL for a per-merchant cap.',
  })
  period?: string | null;
  @Field(() => String) reason!: string;
  @Field(() => String) actor!: string;
  @Field(() => Date) effectiveAt!: Date;
  @Field(() => Date) createdAt!: Date;
  @Field(() => String, { nullable: true, description: 'After-sales case that caused it.' }) caseId?: string | null;
  @Field(() => String, { nullable: true, description: 'Appeal that caused it.' }) appealId?: string | null;
}

@ObjectType('LedgerEntry')
export class LedgerEntryView {
  @Field(() => String) accountCode!: string;
  @Field(() => AccountKind) accountKind!: AccountKind;
  @Field(() => Money, { description: 'Signed: positive raises the account balance.' }) amount!: Money;
}

export const LedgerTransactionConnection = ConnectionType('LedgerTransaction', LedgerTransactionNode);

@ObjectType('MerchantLedger', { description: "Balances of a merchant's accounts." })
export class MerchantLedgerView {
  @Field(() => Money, { description: 'Cash the platform owes the merchant (negative: the merchant owes fees).' })
  cash!: Money;
  @Field(() => Money, { description: 'Advertising balance: promotion-fee rebates and traffic coupons.' }) ad!: Money;
}

@ObjectType('Fund')
export class FundView {
  @Field(() => FundCode) code!: FundCode;
  @Field(() => Money, { description: 'All allocations, less reversed ones.' }) budget!: Money;
  @Field(() => Money) spent!: Money;
  @Field(() => Money, { description: 'Never below zero.' }) remaining!: Money;
}

@ObjectType('SubsidyAllowance', { description: 'What is left under a per-merchant cap.' })
export class SubsidyAllowanceView {
  @Field(() => LedgerKind) kind!: LedgerKind;
  @Field(() => String) period!: string;
  @Field(() => Money) cap!: Money;
  @Field(() => Money) used!: Money;
  @Field(() => Money) remaining!: Money;
  @Field(() => Int) policyVersion!: number;
}

@ObjectType('SubsidyQuote', { description: 'What a posting would pay or charge, and why; nothing is written.' })
export class SubsidyQuoteView {
  @Field(() => LedgerKind) kind!: LedgerKind;
  @Field(() => Boolean) eligible!: boolean;
  @Field(() => Money) amount!: Money;
  @Field(() => Money, { nullable: true }) requested?: Money | null;
  @Field(() => Money, { nullable: true, description: 'The cap that applied.' }) cap?: Money | null;
  @Field(() => String, { nullable: true }) capName?: string | null;
  @Field(() => String) explanation!: string;
  @Field(() => String, { nullable: true, description: 'NOT_ELIGIBLE or CAP_EXCEEDED when not eligible.' }) refusal?:
    string | null;
  @Field(() => Int) policyVersion!: number;
}

@InputType({
  description: 'A subsidy, compensation, fee or rebate to quote or post. Which fields matter depends on `kind`.',
})
export class SubsidyQuoteInput {
  @Field(() => LedgerKind) kind!: LedgerKind;

  @Field(() => ID, { nullable: true, description: 'The order it is for (most kinds).' }) orderId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The merchant, for kinds without an order (monthly subsidies, coupons, growth, transit loss).',
  })
  merchantId?: string | null;

  @Field(() => YuanAmountScalar, {
    nullable: true,
    description:
      'Amount claimed: shipping cost, goods value, late-shipment claim, refund-only amount, coupons, transfer fee.',
  })
  amount?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Return picked up by official logistics.' }) officialPickup?:
    boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Refund-only for quality after receipt.' })
  qualityAfterReceipt?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'The platform flagged the order abnormal.' }) flaggedAbnormal?:
    boolean | null;

  @Field(() => String, { nullable: true, description: 'Month YYYY-MM (China time); default the month of effectiveAt.' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must look like 2026-11' })
  period?: string | null;

  @Field(() => YuanAmountScalar, { nullable: true }) baseTarget?: number | null;
  @Field(() => YuanAmountScalar, { nullable: true }) sprintTarget?: number | null;

  @Field(() => Date, { nullable: true, description: 'When it applies; the policy in force then is used. Default now.' })
  effectiveAt?: Date | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 2000)
  reason?: string | null;
}

@InputType()
export class PostSubsidyInput extends SubsidyQuoteInput {
  @Field(() => String, {
    description: 'Client key: the same key and request posts once; another request with it is a conflict.',
  })
  @Length(1, 200)
  idempotencyKey!: string;
}

@ObjectType()
export class QuoteSubsidyPayload {
  @Field(() => SubsidyQuoteView, { nullable: true }) quote?: SubsidyQuoteView | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class PostSubsidyPayload {
  @Field(() => LedgerTransactionNode, { nullable: true }) transaction?: LedgerTransaction | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'True when the key had already been posted: this is the earlier result.',
  })
  replayed?: boolean | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class ReverseLedgerTransactionInput {
  @Field(() => ID) transactionId!: string;
  @Field(() => String) @Length(1, 2000) reason!: string;
}

@ObjectType()
export class ReverseLedgerTransactionPayload {
  @Field(() => LedgerTransactionNode, { nullable: true }) reversal?: LedgerTransaction | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class AllocateFundInput {
  @Field(() => FundCode) fund!: FundCode;
  @Field(() => YuanAmountScalar) amount!: number;
  @Field(() => String) @Length(1, 2000) reason!: string;
  @Field(() => String) @Length(1, 200) idempotencyKey!: string;
}

@InputType()
export class LedgerTransactionFilter {
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => ID, { nullable: true }) orderId?: string | null;
  @Field(() => [LedgerKind], { nullable: true }) kind?: LedgerKind[] | null;
}

@ArgsType()
export class LedgerTransactionArgs extends PageArgs {
  @Field(() => LedgerTransactionFilter, { nullable: true }) filter?: LedgerTransactionFilter | null;
}
