import type { GatewayModule } from '../../server/gateway-module';
import { AuditEntry } from './audit.entity';
import { createAuditLoaders } from './audit.loaders';
import { MerchantAuditResolver, AuditEntryResolver } from './audit.resolver';

export const auditModule: GatewayModule = {
  name: 'audit',
  entities: [AuditEntry],
  resolvers: [MerchantAuditResolver, AuditEntryResolver],
  loaders: { key: 'audit', create: createAuditLoaders },
};
