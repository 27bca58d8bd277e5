import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENFORCE_APPEAL_DEADLINES } from '../../../src/jobs/scheduler';
import { Role } from '../../../src/security/roles';
import { MerchantDocument, MerchantsWithOrdersDocument, UpsertMerchantDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { type GatewayProcess, metricValue, startGatewayProcess } from '../../helpers/gateway-process';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { eventually } from '../../helpers/wait';

const QUERY = print(MerchantsWithOrdersDocument);

/**
 * Requests from `loops` concurrent clients until `stopSending` says so; every answer is recorded.
 * What a load balancer in front of the gateway would send.
 */
function load(gateway: GatewayProcess, loops: number, stopSending: () => boolean) {
  const answers: { status: number; errors: number }[] = [];
  const failures: unknown[] = [];
  let inFlight = 0;
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stopSending()) {
        inFlight++;
        try {
          const { status, body } = await gateway.graphql(actors.admin, QUERY, { first: 10 });
          answers.push({ status, errors: body.errors?.length ?? 0 });
        } catch (error) {
          failures.push(error);
        } finally {
          inFlight--;
        }
      }
    }),
  );
  return { answers, failures, done, inFlight: () => inFlight };
}

describe('graceful shutdown', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const buyer = await make.buyer();
    for (let i = 0; i < 10; i++) {
      const merchant = await make.merchant();
      await make.orders([{ merchant, buyer, product: await make.product(merchant), count: 20 }], 2);
    }
  });
  afterAll(() => app?.close());

  it('on SIGTERM under load, readiness turns 503 at once, requests are served until the balancer stops sending, and none fails', async () => {
    const gateway = await startGatewayProcess(app.databaseUrl, { SHUTDOWN_DELAY_MS: '1500', JOBS_ENABLED: 'true' });
    const ready = await gateway.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'serving',
      checks: { database: 'ok', migrations: 'ok', jobs: 'running' },
    });

    // The balancer polls readiness and stops sending once it fails.
    let draining: { status: number; body: unknown } | undefined;
    const poller = (async () => {
      while (!draining) {
        const response = await gateway.get('/readyz');
        if (response.status !== 200) draining = { status: response.status, body: await response.json() };
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const traffic = load(gateway, 12, () => !!draining);
    await eventually(() => traffic.answers.length >= 50, 'fifty answers', { everyMs: 10 });
    const inFlightAtSignal = traffic.inFlight();
    const exitCode = gateway.stop('SIGTERM');
    await traffic.done;
    await poller;

    expect(inFlightAtSignal).toBeGreaterThan(0);
    expect(draining).toEqual({
      status: 503,
      body: { status: 'draining', checks: expect.objectContaining({ database: 'ok' }) },
    });
    expect(traffic.failures).toEqual([]);
    expect(traffic.answers.every((a) => a.status === 200 && a.errors === 0)).toBe(true);
    expect(await exitCode).toBe(0);
    expect(gateway.output()).toMatch(/shutdown complete/);
    console.info(`SIGTERM with a delay: ${traffic.answers.length} requests answered, none failed`);
  }, 60_000);

  it('with no delay, requests already in flight when SIGTERM arrives are finished before the process exits', async () => {
    const gateway = await startGatewayProcess(app.databaseUrl, { SHUTDOWN_DELAY_MS: '0' });
    let stopped = false;
    const traffic = load(gateway, 16, () => stopped);
    await eventually(() => traffic.answers.length >= 50 && traffic.inFlight() >= 8, 'eight in flight', { everyMs: 5 });
    // The balancer has already taken the instance out: nothing new is sent after the signal.
    stopped = true;
    const inFlightAtSignal = traffic.inFlight();
    const exitCode = gateway.stop('SIGTERM');
    await traffic.done;

    expect(inFlightAtSignal).toBeGreaterThanOrEqual(8);
    expect(traffic.failures).toEqual([]);
    expect(traffic.answers.every((a) => a.status === 200 && a.errors === 0)).toBe(true);
    expect(await exitCode).toBe(0);
  }, 60_000);
});

describe('two replicas on one database', () => {
  let app: TestApp;
  let replicas: GatewayProcess[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    // Started together, as a deployment would: both migrate (one waits for the other) and schedule.
    const env = { JOBS_ENABLED: 'true', APPEAL_DEADLINES_CRON: '* * * * *' };
    const started = await Promise.allSettled([
      startGatewayProcess(app.databaseUrl, env),
      startGatewayProcess(app.databaseUrl, env),
    ]);
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }, 90_000);
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await app?.close();
  });

  it('serve the same data: a write through one is read through the other', async () => {
    const [first, second] = replicas;
    const merchant = await factories(app.orm).merchant();
    const admin = actors.role(Role.ADMIN);
    const written = await first.graphql(admin, print(UpsertMerchantDocument), {
      input: {
        externalId: merchant.externalId,
        name: '两个副本的店',
        tier: 'STANDARD',
        mainCategory: '家居',
        region: 'ZHEJIANG',
        deposit: '1000.00',
      },
    });
    expect(written.body.errors).toBeUndefined();
    expect(written.body.data.upsertMerchant.userErrors).toEqual([]);
    const read = await second.graphql(admin, print(MerchantDocument), { id: gid.merchant(merchant) });
    expect(read.body.data.merchant.name).toBe('两个副本的店');
    for (const replica of replicas) expect((await replica.get('/readyz')).status).toBe(200);
  });

  it('run each scheduled job once per tick, whichever replica takes it', async () => {
    const runs = async () =>
      (await Promise.all(replicas.map((r) => r.metrics()))).map((text) =>
        metricValue(text, 'weiquan_job_runs_total', { job: ENFORCE_APPEAL_DEADLINES }),
      );
    await eventually(async () => (await runs()).some((n) => n > 0), 'a run of the scheduled job', {
      ms: 40_000,
      everyMs: 250,
    });
    // Both replicas poll for work a while longer: a second run of the same tick would show now.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const ticks = async () =>
      app.orm.em
        .fork()
        .getConnection()
        .execute<{ minute: string; jobs: number; completed: number }[]>(
          `select date_trunc('minute', created_on)::text as minute, count(*)::int as jobs,
                  (count(*) filter (where state = 'completed'))::int as completed
             from pgboss.job where name = ? group by 1`,
          [ENFORCE_APPEAL_DEADLINES],
        );
    // A minute may turn while this reads: runs are bounded by the jobs completed before and those
    // created after, so a tick whose job is still waiting for a replica does not count as a miss.
    const before = await ticks();
    const perReplica = await runs();
    const after = await ticks();
    const completed = before.reduce((sum, row) => sum + row.completed, 0);
    const created = after.reduce((sum, row) => sum + row.jobs, 0);
    // One job per tick however many replicas schedule it, and each job run by one replica only. A
    // tick is pg-boss's one send-it job per name and minute (each replica tries to send it); the job it
    // creates may be created in the next minute under load, so jobs are counted against ticks, not
    // against the minutes they were created in.
    const [{ ticks: scheduled }] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ ticks: number }[]>(
        `select count(distinct singleton_on)::int as ticks from pgboss.job
          where name = '__pgboss__send-it' and singleton_key = ?`,
        [ENFORCE_APPEAL_DEADLINES],
      );
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(scheduled);
    const total = perReplica.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(Math.max(completed, 1));
    expect(total).toBeLessThanOrEqual(created);
    console.info(`scheduled job runs per replica: ${perReplica.join(' + ')} for ${created} tick(s)`);
  }, 70_000);
});
