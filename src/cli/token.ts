/**
 * `npm run token -- --role MERCHANT --merchant <merchant id>` prints a bearer token signed with the
 * configured AUTH_JWT_SECRET (the local development secret by default), for Sandbox's headers.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { isRole, Role } from '../security/roles';
import { signToken } from '../security/tokens';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'ADMIN' },
      merchant: { type: 'string' },
      subject: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  if (!isRole(values.role)) throw new Error(`--role must be one of ${Object.values(Role).join(', ')}`);
  if (values.role === Role.MERCHANT && !values.merchant)
    throw new Error('a MERCHANT token needs --merchant <merchant id>');
  const { auth } = loadConfig();
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
