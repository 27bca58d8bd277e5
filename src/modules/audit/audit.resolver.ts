import { ReadsParentIdOnly } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import { Args, ArgsType, Ctx, Field, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { connectionAsk } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../server/context';
import { MerchantNode } from '../merchants/merchants.types';
import { auditService } from './audit.service';
import type { AuditEntry } from './audit.entity';
import { AuditAction, AuditSubjectType } from './audit.enums';
import { AuditEntryConnection, AuditEntryNode, AuditEntrySort } from './audit.types';

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => AuditEntrySort, { nullable: true, description: 'Default: CREATED_AT, newest first.' })
  sort?: AuditEntrySort | null;
}

@Resolver(() => AuditEntryNode)
export class AuditEntryResolver {
  @FieldResolver(() => AuditAction)
  kind(@Root() entry: AuditEntry): AuditAction {
    return entry.action as AuditAction;
  }

  @FieldResolver(() => AuditSubjectType)
  subjectKind(@Root() entry: AuditEntry): AuditSubjectType {
    return entry.subjectType as AuditSubjectType;
  }
}

@Resolver(() => MerchantNode)
export class MerchantAuditResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => AuditEntryConnection, {
    description:
      'Every platform action on the account (rulings, appeal moves, postings, score events, status changes, warnings), newest first unless sorted otherwise.',
  })
  auditLog(
    @Root() merchant: { id: string },
    @Args(() => AuditLogArgs) args: AuditLogArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return auditService.ofMerchant(ctx, merchant.id, args, connectionAsk(info));
  }
}
