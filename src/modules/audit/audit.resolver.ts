import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../server/context';
import { MerchantNode } from '../merchants/merchants.types';
import { auditService } from './audit.service';
import { AuditEntryConnection } from './audit.types';

@Resolver(() => MerchantNode)
export class MerchantAuditResolver {
  @FieldResolver(() => AuditEntryConnection, {
    description:
      'Every platform action on the account (rulings, appeal moves, postings, score events, status changes, warnings), oldest first.',
  })
  auditLog(@Root() merchant: { id: string }, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: RequestContext) {
    return auditService.ofMerchant(ctx, merchant.id, args);
  }
}
