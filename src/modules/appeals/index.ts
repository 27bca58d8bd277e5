import type { GatewayModule } from '../../server/gateway-module';
import { Appeal, AppealStatusChange, AppealEvidence, ForceMajeureReport } from './appeals.entity';
import { createAppealLoaders } from './appeals.loaders';
import { AppealsResolver, MerchantAppealsResolver } from './appeals.resolver';

export const appealsModule: GatewayModule = {
  name: 'appeals',
  entities: [Appeal, AppealStatusChange, AppealEvidence, ForceMajeureReport],
  resolvers: [AppealsResolver, MerchantAppealsResolver],
  loaders: { key: 'appeals', create: createAppealLoaders },
};
