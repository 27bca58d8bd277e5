import type { MikroORM } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import { exclusively } from '../db/advisory-lock';
import { platformContext } from '../server/context';
import { MODULES } from '../modules';
import { registerEventHandlers } from '../modules/event-handlers';
import { afterSalesService } from '../modules/after-sales/after-sales.service';
import { appealsService } from '../modules/appeals/appeals.service';
import { trustService } from '../modules/trust/trust.service';
import { jobDuration, jobRuns } from '../observability/metrics';
import { logger } from '../shared/logger';
import type { JobsState } from '../server/health';

export const RECOMPUTE_TRUST_SCORES = 'recompute-trust-scores';
export const ENFORCE_APPEAL_DEADLINES = 'enforce-appeal-deadlines';
export const INTERVENE_AFTER_DELAY = 'intervene-after-delay';

/**
 * Trust scores cover a rolling window, so they change as old events leave it even when no new event
 * arrives. A nightly job (03:17 China time) replays them. pg-boss keeps the schedule and the queue in
 * PostgreSQL, so one instance runs it however many gateways there are.
 */
export async function startJobs(
  orm: MikroORM,
  databaseUrl: string,
  options: { appealDeadlinesCron?: string; interventionDelayCron?: string } = {},
): Promise<{ boss: PgBoss; state: () => JobsState; stop: () => Promise<void> }> {
  registerEventHandlers();
  // Schedules are checked every 5 s (pg-boss's default is 30 s, so a tick could start half a minute late);
  // one replica does the check per interval.
  const boss = new PgBoss({ connectionString: databaseUrl, max: 2, cronMonitorIntervalSeconds: 5 });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  let state: JobsState = 'stopped';
  boss.on('stopped', () => (state = 'stopped'));
  // pg-boss creates a table per queue; two replicas creating one at once deadlock, so they take turns.
  await exclusively(orm, 'weiquan:job-queues', async () => {
    await boss.start();
    await boss.createQueue(RECOMPUTE_TRUST_SCORES);
    await boss.schedule(RECOMPUTE_TRUST_SCORES, '17 3 * * *', {}, { tz: 'Asia/Shanghai' });
    await boss.createQueue(ENFORCE_APPEAL_DEADLINES);
    await boss.schedule(ENFORCE_APPEAL_DEADLINES, options.appealDeadlinesCron ?? '*/5 * * * *', {});
    await boss.createQueue(INTERVENE_AFTER_DELAY);
    await boss.schedule(INTERVENE_AFTER_DELAY, options.interventionDelayCron ?? '*/5 * * * *', {});
  });
  await boss.work(
    RECOMPUTE_TRUST_SCORES,
    measured(RECOMPUTE_TRUST_SCORES, async () => {
      const result = await trustService.recompute(platformContext(orm, MODULES, 'job:recompute-trust-scores'));
      if (result.refusals.length) throw new Error(`recompute refused: ${JSON.stringify(result.refusals)}`);
      logger.info({ ...result, refusals: undefined }, 'trust scores recomputed');
    }),
  );
  // Appeal SLA timers every five minutes; pg-boss keeps one schedule, so one instance runs each tick,
  // and the service's row claims make a second run of the same tick change nothing.
  await boss.work(
    ENFORCE_APPEAL_DEADLINES,
    measured(ENFORCE_APPEAL_DEADLINES, async () => {
      const result = await appealsService.enforceDeadlines(
        platformContext(orm, MODULES, 'job:appeal-deadlines'),
        new Date(),
      );
      if (result.refusals.length) throw new Error(`appeal deadlines refused: ${JSON.stringify(result.refusals)}`);
      if (result.escalated || result.expired)
        logger.info({ ...result, refusals: undefined }, 'appeal deadlines enforced');
    }),
  );
  // Rule 3's negotiation window ends by the clock: the cases waiting for it are decided again.
  await boss.work(
    INTERVENE_AFTER_DELAY,
    measured(INTERVENE_AFTER_DELAY, async () => {
      const result = await afterSalesService.interveneWhereDelayEnded(
        platformContext(orm, MODULES, 'job:intervene-after-delay'),
        new Date(),
      );
      if (result.refusals.length) throw new Error(`intervention refused: ${JSON.stringify(result.refusals)}`);
      if (result.decided) logger.info({ ...result, refusals: undefined }, 'cases decided after their delay');
    }),
  );
  state = 'running';
  return {
    boss,
    state: () => state,
    // Graceful: no new work is fetched, and a running job finishes before the pool closes.
    stop: async () => {
      state = 'stopped';
      await boss.stop({ graceful: true, wait: true });
    },
  };
}

/** A job's work with its run counted (ok or failed) and timed; a failure still reaches pg-boss to retry. */
function measured(job: string, work: () => Promise<void>): () => Promise<void> {
  return async () => {
    const stopTimer = jobDuration.startTimer({ job });
    try {
      await work();
      jobRuns.inc({ job, outcome: 'ok' });
    } catch (error) {
      jobRuns.inc({ job, outcome: 'failed' });
      throw error;
    } finally {
      stopTimer();
    }
  };
}
