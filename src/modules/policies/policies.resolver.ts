import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { toPayload } from '../../graphql/user-error';
import { Allow } from '../../security/authorization';
import { Role } from '../../security/roles';
import type { RequestContext } from '../../server/context';
import type { PolicySnapshot } from './policies.rules';
import { policiesService } from './policies.service';
import {
  PolicyNode,
  PolicyNumbersView,
  PublishPolicyInput,
  PublishPolicyPayload,
  toPolicyView,
} from './policies.types';

@Resolver(() => PolicyNode)
export class PoliciesResolver {
  // Policies are public rules of the programmes: every signed-in actor may read them.
  @Allow()
  @Query(() => PolicyNode, { description: 'The version in force now.' })
  activePolicy(@Ctx() ctx: RequestContext) {
    return policiesService.inForce(ctx);
  }

  @Allow()
  @Query(() => PolicyNode, { nullable: true })
  policy(@Arg('version', () => Int) version: number, @Ctx() ctx: RequestContext) {
    return policiesService.byVersion(ctx, version);
  }

  @Allow()
  @Query(() => [PolicyNode], { description: 'Every version, newest first.' })
  policies(@Ctx() ctx: RequestContext) {
    return policiesService.list(ctx);
  }

  @FieldResolver(() => PolicyNumbersView)
  numbers(@Root() policy: PolicySnapshot) {
    return toPolicyView(policy.numbers);
  }

  @Allow(Role.POLICY_ADMIN, Role.ADMIN)
  @Mutation(() => PublishPolicyPayload, {
    description: 'Publishes a new version built from the one in force plus `changes`.',
  })
  async publishPolicy(@Arg('input', () => PublishPolicyInput) input: PublishPolicyInput, @Ctx() ctx: RequestContext) {
    return toPayload(await policiesService.publish(ctx, input));
  }
}
