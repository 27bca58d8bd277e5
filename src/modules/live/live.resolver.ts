import { GraphQLError } from 'graphql';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { toGlobalId, type NodeTypeName } from '../../graphql/global-id';
import { optionalLocalId } from '../../graphql/ids';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import type { LiveContext } from '../../server/live-socket';
import { type LiveEvent, LiveEventKind } from './live.events';
import type { LiveHub } from './live.hub';
import type { AuditSubjectType } from '../audit/audit.enums';
import { MerchantEventNode } from './live.types';
import { eventCursor, liveService } from './live.service';

const NODE_TYPE_OF: Record<string, NodeTypeName> = {
  AFTER_SALES_CASE: 'AfterSalesCase',
  APPEAL: 'Appeal',
  LEDGER_TRANSACTION: 'LedgerTransaction',
  SCORE_EVENT: 'ScoreEvent',
  MERCHANT: 'Merchant',
  WARNING: 'Warning',
  PRODUCT: 'Product',
  ORDER: 'Order',
  MERCHANT_STATUS_CHANGE: 'MerchantStatusChangeNode',
};

interface MerchantEventsArgs {
  kinds?: LiveEventKind[] | null;
  merchantId?: string | null;
  after?: string | null;
}

/**
 * Who hears what: a merchant its own account only (naming another merchant is FORBIDDEN); staff one
 * merchant or, without `merchantId`, all of them (a queue such as new appeals: `kinds: [APPEAL_FILED]`).
 */
function subscribeToMerchantEvents(args: MerchantEventsArgs, context: LiveContext) {
  const { actor } = context;
  if (!actor.authenticated) throw new GraphQLError('sign in first', { extensions: { code: 'UNAUTHENTICATED' } });
  if (!context.live)
    throw new GraphQLError('subscriptions are served over WebSocket at /graphql', {
      extensions: { code: 'BAD_REQUEST' },
    });
  const named = optionalLocalId('Merchant', args.merchantId, 'merchantId');
  if (actor.role === Role.MERCHANT && named && named !== actor.merchantId)
    throw new GraphQLError('a merchant hears only its own events', { extensions: { code: 'FORBIDDEN' } });
  if (args.kinds && !args.kinds.length)
    throw new GraphQLError('kinds: name at least one kind, or leave it out for all', {
      extensions: { code: 'BAD_USER_INPUT', field: 'kinds' },
    });
  const filter = {
    merchantId: actor.role === Role.MERCHANT ? actor.merchantId : named,
    kinds: args.kinds ? new Set(args.kinds) : null,
  };
  // The composition's live feed is this module's hub (src/modules/index.ts makes it).
  return liveService.subscribe(context, context.live as LiveHub, filter, args.after);
}

@Resolver(() => MerchantEventNode)
export class LiveResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Subscription(() => MerchantEventNode, {
    description:
      'What happens on merchants’ accounts, as it commits on any replica: warnings, case and appeal moves, payouts and other postings, score events, status changes. A merchant hears its own; staff one merchant or all. Over WebSocket (graphql-ws) at /graphql, with `{ "authorization": "Bearer <token>" }` as connection params. After a reconnect, pass the `cursor` of the last event seen as `after` to receive what was missed first (up to 1,000 events).',
    subscribe: ({ args, context }) => subscribeToMerchantEvents(args as MerchantEventsArgs, context as LiveContext),
  })
  merchantEvents(
    @Root() event: LiveEvent,
    @Arg('kinds', () => [LiveEventKind], { nullable: true, description: 'Only these kinds; all when left out.' })
    _kinds: LiveEventKind[] | null,
    @Arg('merchantId', () => ID, { nullable: true, description: 'Staff: one merchant; all when left out.' })
    _merchantId: string | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The `cursor` of the last event received: the events since then come first.',
    })
    _after: string | null,
  ): MerchantEventNode {
    const subjectType = NODE_TYPE_OF[event.subjectType];
    return {
      kind: event.kind,
      merchantId: toGlobalId('Merchant', event.merchantId),
      subjectType: event.subjectType,
      subjectKind: event.subjectType as AuditSubjectType,
      subjectId: subjectType ? toGlobalId(subjectType, event.subjectId) : event.subjectId,
      summary: event.summary,
      actor: event.actor,
      occurredAt: new Date(event.occurredAt),
      cursor: eventCursor(event),
    };
  }
}
