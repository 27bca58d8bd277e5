import { BUYER_FIELD_READS } from './buyers.types';
import { loaderSet, projectedLoaders } from '../../graphql/loaders';
import { Buyer } from './buyer.entity';
import { BUYER_TABLE } from './buyers.query';

export const createBuyerLoaders = loaderSet(projectedLoaders(Buyer, BUYER_TABLE, BUYER_FIELD_READS));

declare module '../../db/session' {
  interface Loaders {
    buyers: ReturnType<typeof createBuyerLoaders>;
  }
}
