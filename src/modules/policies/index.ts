import type { GatewayModule } from '../../server/gateway-module';
import { PolicyVersion } from './policy.entity';
import { createPolicyLoaders } from './policies.loaders';
import { PoliciesResolver } from './policies.resolver';

export const policiesModule: GatewayModule = {
  name: 'policies',
  entities: [PolicyVersion],
  resolvers: [PoliciesResolver],
  loaders: { key: 'policies', create: createPolicyLoaders },
};
