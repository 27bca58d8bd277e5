import { ReadsParentIdOnly } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Resolver, Root } from 'type-graphql';
import { connectionAsk } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { Role } from '../../security/roles';
import { MerchantNode } from '../merchants/merchants.types';
import { ordersService } from '../orders/orders.service';
import { OrderNode } from '../orders/orders.types';
import { productsService } from '../products/products.service';
import { ProductNode } from '../products/products.types';
import type { Warning } from './warnings.entity';
import { warningsService } from './warnings.service';
import {
  AcknowledgeWarningInput,
  AcknowledgeWarningPayload,
  WarningConnection,
  WarningFilter,
  WarningNode,
} from './warnings.types';

@ArgsType()
class WarningListArgs extends PageArgs {
  @Field(() => WarningFilter, { nullable: true })
  filter?: WarningFilter | null;
}

@Resolver(() => WarningNode)
export class WarningsResolver {
  @FieldResolver(() => ID)
  id(@Root() warning: Warning) {
    return toGlobalId('Warning', warning.id);
  }

  @FieldResolver(() => ProductNode, { nullable: true })
  product(@Root() warning: Warning, @Ctx() ctx: RequestContext) {
    return warning.product ? productsService.load(ctx, warning.product.id) : null;
  }

  @FieldResolver(() => OrderNode, { nullable: true })
  order(@Root() warning: Warning, @Ctx() ctx: RequestContext) {
    return warning.order ? ordersService.load(ctx, warning.order.id) : null;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'LOW_PRICE: the price held until confirmed.' })
  heldPrice(@Root() warning: Warning) {
    return warning.heldPrice == null ? null : Money.fromFen(warning.heldPrice);
  }

  @FieldResolver(() => Money, { nullable: true, description: "LOW_PRICE: the product's median over the window." })
  medianPrice(@Root() warning: Warning) {
    return warning.medianPrice == null ? null : Money.fromFen(warning.medianPrice);
  }

  @Allow(Role.MERCHANT, Role.RISK, Role.ADMIN)
  @Mutation(() => AcknowledgeWarningPayload, {
    description: 'Acknowledges a warning (a merchant: its own); confirmPrice applies a held low price.',
  })
  acknowledgeWarning(
    @Arg('input', () => AcknowledgeWarningInput) input: AcknowledgeWarningInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({ ...input, warningId: ids.id('Warning', input.warningId, 'warningId') }),
      (value) => warningsService.acknowledge(ctx, value),
    );
  }
}

@Resolver(() => MerchantNode)
export class MerchantWarningsResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => WarningConnection, { description: 'Warnings raised to the merchant, newest first.' })
  warnings(
    @Root() merchant: { id: string },
    @Args(() => WarningListArgs) args: WarningListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return warningsService.ofMerchant(ctx, merchant.id, args, connectionAsk(info));
  }
}
