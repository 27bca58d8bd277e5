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
import { connectionAsk, selectedFields } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, optionalLocalId, requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role, STAFF_READERS } from '../../security/roles';
import { ledgerReadService } from '../ledger/ledger.read.service';
import { LedgerTransactionNode } from '../ledger/ledger.types';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { Appeal } from './appeals.entity';
import { AppealKind, AppealSubjectType } from './appeals.enums';
import type { AppealListArgs as DomainListArgs } from './appeals.query';
import { appealsService } from './appeals.service';
import {
  AnswerAppealInput,
  AppealConnection,
  AppealEvidenceNode,
  AppealFilterInput,
  AppealNode,
  AppealPayload,
  AppealReasonInput,
  AppealRequirementsView,
  AppealStatusChangeNode,
  AssignAppealInput,
  DecideAppealInput,
  FileAppealInput,
  ForceMajeureReportNode,
  ReportForceMajeureInput,
  ReportForceMajeurePayload,
} from './appeals.types';

@ArgsType()
class AppealListArgs extends PageArgs {
  @Field(() => AppealFilterInput, { nullable: true })
  filter?: AppealFilterInput | null;
}

function listArgs(args: AppealListArgs): DomainListArgs {
  if (!args.filter) return args as DomainListArgs;
  return {
    ...args,
    filter: { ...args.filter, merchantId: optionalLocalId('Merchant', args.filter.merchantId, 'filter.merchantId') },
  };
}

const SUBJECT_NODE = {
  [AppealSubjectType.ORDER]: 'Order',
  [AppealSubjectType.AFTER_SALES_CASE]: 'AfterSalesCase',
  [AppealSubjectType.SCORE_EVENT]: 'ScoreEvent',
  [AppealSubjectType.MERCHANT_STATUS_CHANGE]: 'MerchantStatusChangeNode',
} as const;

@Resolver(() => AppealNode)
export class AppealsResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => AppealNode, { nullable: true })
  appeal(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const appealId = requireLocalId('Appeal', id, 'id');
    readAhead(appealId, ctx, info);
    return appealsService.load(ctx, appealId);
  }

  @Allow(...STAFF_READERS)
  @Query(() => AppealConnection, {
    description: 'Open appeals by review deadline: the green channel’s come due first.',
  })
  appealQueue(
    @Args(() => AppealListArgs) args: AppealListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return appealsService.queue(ctx, listArgs(args), connectionAsk(info));
  }

  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => AppealRequirementsView, { description: 'What an appeal of this kind must carry, before filing.' })
  appealRequirements(@Arg('kind', () => AppealKind) kind: AppealKind, @Ctx() ctx: RequestContext) {
    return appealsService.requirements(ctx, kind);
  }

  @FieldResolver(() => ID)
  id(@Root() appeal: Appeal) {
    return toGlobalId('Appeal', appeal.id);
  }

  @FieldResolver(() => ID, { description: 'The contested subject’s global id.' })
  subjectId(@Root() appeal: Appeal) {
    return toGlobalId(SUBJECT_NODE[appeal.subjectType], appeal.subjectId);
  }

  // Read ahead, the appeal is its id alone: its merchant is read through it.
  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantNode)
  merchant(@Root() appeal: Appeal, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!appeal.merchant) {
      return merchantsService.loadOf(
        ctx,
        { entity: Appeal, property: 'merchant', id: appeal.id },
        selectedFields(info),
      );
    }
    return merchantsService.load(ctx, appeal.merchant.id, selectedFields(info));
  }

  @FieldResolver(() => Money, { nullable: true })
  compensation(@Root() appeal: Appeal) {
    return appeal.compensation == null ? null : Money.fromFen(appeal.compensation);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [AppealEvidenceNode])
  evidence(@Root() appeal: Appeal, @Ctx() ctx: RequestContext) {
    return appealsService.evidence(ctx, appeal.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [AppealStatusChangeNode], { description: 'Every move, oldest first.' })
  statusHistory(@Root() appeal: Appeal, @Ctx() ctx: RequestContext) {
    return appealsService.statusHistory(ctx, appeal.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [LedgerTransactionNode], { description: 'What the platform paid because of this appeal.' })
  postings(@Root() appeal: Appeal, @Ctx() ctx: RequestContext) {
    return ledgerReadService.ofAppeal(ctx, appeal.id);
  }

  @Allow(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => AppealPayload, { description: 'Files an appeal on one of the merchant’s own subjects. No limit.' })
  fileAppeal(@Arg('input', () => FileAppealInput) input: FileAppealInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({
        ...input,
        merchantId: ids.id('Merchant', input.merchantId, 'merchantId'),
        subjectId: ids.id(SUBJECT_NODE[input.subjectType], input.subjectId, 'subjectId'),
      }),
      (value) => appealsService.file(ctx, value),
    );
  }

  @Allow(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => AppealPayload, { description: 'Adds evidence; answering a request returns the appeal to review.' })
  answerAppeal(@Arg('input', () => AnswerAppealInput) input: AnswerAppealInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, appealId: ids.id('Appeal', input.appealId, 'appealId') }),
      (value) => appealsService.answer(ctx, value),
    );
  }

  @Allow(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => AppealPayload, { description: 'The merchant withdraws its appeal before the decision.' })
  withdrawAppeal(@Arg('input', () => AppealReasonInput) input: AppealReasonInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, appealId: ids.id('Appeal', input.appealId, 'appealId') }),
      (value) => appealsService.withdraw(ctx, value),
    );
  }

  @Allow(Role.ARBITRATOR)
  @Mutation(() => AppealPayload, { description: 'Takes an appeal for review.' })
  assignAppeal(@Arg('input', () => AssignAppealInput) input: AssignAppealInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, appealId: ids.id('Appeal', input.appealId, 'appealId') }),
      (value) => appealsService.assign(ctx, value),
    );
  }

  @Allow(Role.ARBITRATOR)
  @Mutation(() => AppealPayload, {
    description: 'Asks the merchant for more evidence (answer within the policy’s hours).',
  })
  requestAppealEvidence(@Arg('input', () => AppealReasonInput) input: AppealReasonInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, appealId: ids.id('Appeal', input.appealId, 'appealId') }),
      (value) => appealsService.requestEvidence(ctx, value),
    );
  }

  @Allow(Role.ARBITRATOR)
  @Mutation(() => AppealPayload, {
    description: 'Upholds (the platform pays and restores the score) or rejects (with reason and clause).',
  })
  decideAppeal(@Arg('input', () => DecideAppealInput) input: DecideAppealInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, appealId: ids.id('Appeal', input.appealId, 'appealId') }),
      (value) => appealsService.decide(ctx, value),
    );
  }
}

@Resolver(() => MerchantNode)
export class MerchantAppealsResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => [ForceMajeureReportNode], { description: 'Force-majeure reports the merchant filed.' })
  forceMajeureReports(@Root() merchant: { id: string }, @Ctx() ctx: RequestContext) {
    return appealsService.forceMajeureReports(ctx, merchant.id);
  }

  @Allow(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => ReportForceMajeurePayload, {
    description: 'Reports force majeure ahead (报备): late shipments in the region and window record no deduction.',
  })
  reportForceMajeure(
    @Arg('input', () => ReportForceMajeureInput) input: ReportForceMajeureInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({ ...input, merchantId: ids.id('Merchant', input.merchantId, 'merchantId') }),
      (value) => appealsService.reportForceMajeure(ctx, value),
    );
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => AppealConnection, { description: "The merchant's appeals, newest first." })
  appeals(
    @Root() merchant: { id: string },
    @Args(() => AppealListArgs) args: AppealListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return appealsService.ofMerchant(ctx, merchant.id, listArgs(args), connectionAsk(info));
  }
}
