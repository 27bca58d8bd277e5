import { readAhead, ReadsParentIdOnly } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { asksOnlyId, connectionAsk, selectedFields } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { Product, ProductPrice } from './product.entity';
import { productsService } from './products.service';
import {
  ProductConnection,
  ProductNode,
  ProductPricePointNode,
  UpsertProductInput,
  UpsertProductPayload,
} from './products.types';

@Resolver(() => ProductNode)
export class ProductsResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => ProductNode, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const productId = requireLocalId('Product', id, 'id');
    readAhead(productId, ctx, info);
    return productsService.load(ctx, productId);
  }

  @FieldResolver(() => ID)
  id(@Root() product: Product) {
    return toGlobalId('Product', product.id);
  }

  @FieldResolver(() => Money)
  currentPrice(@Root() product: Product) {
    return Money.fromFen(product.currentPrice);
  }

  // Read ahead, the product is its id alone: its merchant is read through it.
  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantNode)
  merchant(@Root() product: Product, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!product.merchant) {
      return merchantsService.loadOf(
        ctx,
        { entity: Product, property: 'merchant', id: product.id },
        selectedFields(info),
      );
    }
    const { id } = product.merchant;
    return asksOnlyId(info)
      ? merchantsService.reference(ctx, id)
      : merchantsService.load(ctx, id, selectedFields(info));
  }

  @FieldResolver(() => [ProductPricePointNode], { description: 'Every price the product has had, oldest first.' })
  priceHistory(@Root() product: Product, @Ctx() ctx: RequestContext) {
    return productsService.priceHistory(ctx, product);
  }

  @Allow(Role.MERCHANT, Role.INGEST, Role.ADMIN)
  @Mutation(() => UpsertProductPayload, {
    description: "Creates or updates a merchant's product; a new price is recorded in its history.",
  })
  async upsertProduct(@Arg('input', () => UpsertProductInput) input: UpsertProductInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({
        ...input,
        merchantId: ids.id('Merchant', input.merchantId, 'merchantId'),
      }),
      (value) => productsService.upsert(ctx, value),
    );
  }
}

@Resolver(() => ProductPricePointNode)
export class ProductPricePointResolver {
  @FieldResolver(() => Money)
  price(@Root() point: ProductPrice) {
    return Money.fromFen(point.price);
  }
}

@Resolver(() => MerchantNode)
export class MerchantProductsResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => ProductConnection, { description: "The merchant's products, oldest first." })
  products(
    @Root() merchant: { id: string },
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return productsService.ofMerchant(ctx, merchant.id, page, connectionAsk(info));
  }
}
