/**
 * `npm run token -- --role MERCHANT --merchant <merchant id>` prints a bearer token signed with the
 * configured AUTH_JWT_SECRET (the local development secret by default), for Sandbox's headers.
 * `npm run token -- --list-merchants` prints the merchants to choose from.
 */
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { type Config, loadConfig } from '../config';
import { MODULES, ormConfig } from '../modules';
import { platformContext } from '../server/context';
import type { ServiceContext } from '../db/session';
import { merchantsService } from '../modules/merchants/merchants.service';
import { isUuid, localIdOf, toGlobalId } from '../graphql/global-id';
import { isRole, Role } from '../security/roles';
import { signToken } from '../security/tokens';

const LIST_HINT = 'list them with `npm run token -- --list-merchants`';

/** The database the gateway uses: DATABASE_URL, or the embedded one on its port. */
function databaseUrlOf(config: Config): string {
  return config.databaseUrl ?? `postgresql://postgres:postgres@127.0.0.1:${config.embeddedPostgres.port}/postgres`;
}

/** Runs `query` on the gateway's database, or answers null when it cannot be reached (it is not running). */
async function withDatabase<T>(config: Config, query: (ctx: ServiceContext) => Promise<T>): Promise<T | null> {
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({ ...ormConfig(databaseUrlOf(config)), pool: { min: 0, max: 1 } });
    if (!(await orm.isConnected())) return null;
  } catch {
    return null;
  }
  try {
    return await query(platformContext(orm, MODULES, 'cli:token'));
  } finally {
    await orm.close();
  }
}

async function listMerchants(config: Config): Promise<void> {
  const merchants = await withDatabase(config, (ctx) => merchantsService.firstByName(ctx, 50));
  if (merchants === null) throw new Error('the database is not reachable: start the gateway (npm start) first');
  for (const m of merchants) console.log(`${toGlobalId('Merchant', m.id)}  ${m.tier.padEnd(14)} ${m.name}`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'ADMIN' },
      merchant: { type: 'string' },
      subject: { type: 'string' },
      expires: { type: 'string', default: '12h' },
      'list-merchants': { type: 'boolean', default: false },
    },
  });
  const config = loadConfig();
  if (values['list-merchants']) return listMerchants(config);
  if (!isRole(values.role)) throw new Error(`--role must be one of ${Object.values(Role).join(', ')}`);
  if (values.role === Role.MERCHANT && !values.merchant)
    throw new Error(`a MERCHANT token needs --merchant <merchant id>; ${LIST_HINT}`);
  if (values.merchant) {
    const uuid = localIdOf('Merchant', values.merchant) ?? (isUuid(values.merchant) ? values.merchant : null);
    if (!uuid) throw new Error(`${values.merchant} is not a merchant id; ${LIST_HINT}`);
    const found = await withDatabase(config, async (ctx) => (await merchantsService.findByIds(ctx, [uuid])).length > 0);
    if (found === false) throw new Error(`there is no merchant ${values.merchant}; ${LIST_HINT}`);
    if (found === null) console.error('(the database is not reachable: the merchant was not checked)');
  }
  const { auth } = config;
  if (!auth.jwtSecret)
    throw new Error('no AUTH_JWT_SECRET to sign with (tokens of a JWKS issuer come from that issuer)');
  const token = await signToken(
    { ...auth, jwtSecret: auth.jwtSecret },
    {
      subject: values.subject ?? `dev-${values.role.toLowerCase()}`,
      role: values.role,
      merchantId: values.merchant,
      expiresIn: values.expires,
    },
  );
  console.log(token);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
