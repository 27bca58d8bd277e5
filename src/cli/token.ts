/**
 * `npm run token -- --role MERCHANT --merchant <merchant id>` prints a bearer token signed with the
 * configured AUTH_JWT_SECRET (the local development secret by default), for Sandbox's headers.
 * `npm run token -- --list-merchants` prints the merchants to choose from.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Config, loadConfig } from '../config';
import { isUuid, localIdOf, toGlobalId } from '../graphql/global-id';
import { isRole, Role } from '../security/roles';
import { signToken } from '../security/tokens';

const LIST_HINT = 'list them with `npm run token -- --list-merchants`';

/** The database the gateway uses: DATABASE_URL, or the embedded one on its port. */
function databaseUrlOf(config: Config): string {
  return config.databaseUrl ?? `postgresql://postgres:postgres@127.0.0.1:${config.embeddedPostgres.port}/postgres`;
}

/** Runs `query` on the gateway's database, or answers null when it cannot be reached (it is not running). */
async function withDatabase<T>(config: Config, query: (client: pg.Client) => Promise<T>): Promise<T | null> {
  const client = new pg.Client({ connectionString: databaseUrlOf(config), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    return await query(client);
  } finally {
    await client.end();
  }
}

async function listMerchants(config: Config): Promise<void> {
  const rows = await withDatabase(config, async (client) => {
    const result = await client.query<{ id: string; name: string; tier: string }>(
      'select id, name, tier from merchant order by name, id limit 50',
    );
    return result.rows;
  });
  if (rows === null) throw new Error('the database is not reachable: start the gateway (npm start) first');
  for (const row of rows) console.log(`${toGlobalId('Merchant', row.id)}  ${row.tier.padEnd(14)} ${row.name}`);
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
    const found = await withDatabase(config, async (client) =>
      Boolean((await client.query('select 1 from merchant where id = $1', [uuid])).rowCount),
    );
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
