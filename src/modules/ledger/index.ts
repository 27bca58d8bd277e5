import type { GatewayModule } from '../../server/gateway-module';
import { LedgerAccount, LedgerTransaction, LedgerEntry } from './ledger.entity';
import { createLedgerLoaders } from './ledger.loaders';
import { LedgerResolver, MerchantLedgerResolver } from './ledger.resolver';

export const ledgerModule: GatewayModule = {
  name: 'ledger',
  entities: [LedgerAccount, LedgerTransaction, LedgerEntry],
  resolvers: [LedgerResolver, MerchantLedgerResolver],
  loaders: { key: 'ledger', create: createLedgerLoaders },
};
