import { ormConfig } from './modules';

// The MikroORM CLI (`npm run migration:create`) reads this default export.
export default ormConfig(process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54329/postgres');
