import { childConnectionLoader } from '../../graphql/child-connection';
import { byIdLoader, loaderSet } from '../../graphql/loaders';
import { Warning } from './warnings.entity';
import { NEWEST_WARNINGS_FIRST, WARNING_TABLE, type WarningListArgs, warningWhere } from './warnings.query';

export const createWarningLoaders = loaderSet({
  byId: (db) => byIdLoader(db, Warning, WARNING_TABLE),
  byMerchant: (db) =>
    childConnectionLoader<Warning, WarningListArgs>(db, Warning, {
      shape: 'warnings.ofMerchant',
      ...WARNING_TABLE,
      parentColumn: 'merchant_id',
      where: (args) => warningWhere(args.filter),
      sort: () => NEWEST_WARNINGS_FIRST,
    }),
});

declare module '../../db/session' {
  interface Loaders {
    warnings: ReturnType<typeof createWarningLoaders>;
  }
}
