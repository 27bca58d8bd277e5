import type { GatewayModule } from '../../server/gateway-module';
import { LiveResolver } from './live.resolver';

export const liveModule: GatewayModule = {
  name: 'live',
  entities: [],
  resolvers: [LiveResolver],
};
