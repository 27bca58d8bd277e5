import type { GatewayModule } from '../../server/gateway-module';
import { Warning } from './warnings.entity';
import { createWarningLoaders } from './warnings.loaders';
import { WarningsResolver, MerchantWarningsResolver } from './warnings.resolver';

export const warningsModule: GatewayModule = {
  name: 'warnings',
  entities: [Warning],
  resolvers: [WarningsResolver, MerchantWarningsResolver],
  loaders: { key: 'warnings', create: createWarningLoaders },
};
