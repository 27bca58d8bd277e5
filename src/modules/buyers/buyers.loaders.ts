import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../graphql/loaders';
import { Buyer } from './buyer.entity';

export function createBuyerLoaders(em: EntityManager) {
  return { byId: byIdLoader(em, Buyer) };
}
