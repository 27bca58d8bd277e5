/**
 * PostGraphile 5 on the gateway's database, for `npm run bench`. Runs on Node 22 (bench/peer's `node`).
 *   PEER_DATABASE_URL, PEER_PORT, PEER_POOL_MAX, PEER_RLS=1|0
 * With PEER_RLS=1 every request runs as the gateway's application role with the platform tenant
 * settings, exactly as the gateway's staff requests do; with 0 as the owner (RLS bypassed).
 */
const http = require('node:http');
const pg = require('pg');
const { postgraphile } = require('postgraphile');
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
const { makePgService } = require('postgraphile/adaptors/pg');
const { grafserv } = require('postgraphile/grafserv/node');

const rls = process.env.PEER_RLS !== '0';
const pool = new pg.Pool({
  connectionString: process.env.PEER_DATABASE_URL,
  max: Number(process.env.PEER_POOL_MAX ?? 10),
});
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      pool,
      schemas: ['public'],
      pgSettings: rls ? () => ({ role: 'weiquan_app', 'app.scope': 'platform', 'app.merchant_id': '' }) : undefined,
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

async function main() {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  serv.addTo(server);
  await pgl.getSchema();
  server.listen(Number(process.env.PEER_PORT), '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
