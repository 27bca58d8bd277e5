/**
 * Preloaded (`node --require`) into each server `npm run bench` measures, the gateway and PostGraphile
 * alike: counts the queries the process sends to PostgreSQL (one per round trip) and answers
 * GET http://127.0.0.1:$BENCH_STATS_PORT/ with that count, the process's CPU time and its RSS.
 */
const http = require('node:http');
const { isMainThread } = require('node:worker_threads');

// Preloads run in worker threads too (tsx's loader has one): count and listen in the main thread only.
if (isMainThread) countQueriesAndServeStats();

function countQueriesAndServeStats() {
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  let queries = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    queries++;
    return query.apply(this, args);
  };

  http
    .createServer((_request, response) => {
      const cpu = process.cpuUsage();
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, queries }));
    })
    .listen(Number(process.env.BENCH_STATS_PORT), '127.0.0.1')
    .unref();
}
