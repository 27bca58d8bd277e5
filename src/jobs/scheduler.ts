import type { MikroORM } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import { platformSession } from '../db/session';
import { registerEventHandlers } from '../modules/event-handlers';
import { appealsService } from '../modules/appeals/appeals.service';
import { trustService } from '../modules/trust/trust.service';
import { logger } from '../shared/logger';

export const RECOMPUTE_TRUST_SCORES = 'recompute-trust-scores';
export const ENFORCE_APPEAL_DEADLINES = 'enforce-appeal-deadlines';

/**
 * Trust scores cover a rolling window, so they change as old events leave it even when no new event
 * arrives. A nightly job (03:17 China time) replays them. pg-boss keeps the schedule and the queue in
 * PostgreSQL, so one instance runs it however many gateways there are.
 */
export async function startJobs(
  orm: MikroORM,
  databaseUrl: string,
): Promise<{ boss: PgBoss; stop: () => Promise<void> }> {
  registerEventHandlers();
  const boss = new PgBoss({ connectionString: databaseUrl, max: 2 });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  await boss.createQueue(RECOMPUTE_TRUST_SCORES);
  await boss.schedule(RECOMPUTE_TRUST_SCORES, '17 3 * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(RECOMPUTE_TRUST_SCORES, async () => {
    const result = await trustService.recompute(platformSession(orm, 'job:recompute-trust-scores'));
    if (result.refusals.length) throw new Error(`recompute refused: ${JSON.stringify(result.refusals)}`);
    logger.info({ ...result, refusals: undefined }, 'trust scores recomputed');
  });
  // Appeal SLA timers every five minutes; pg-boss keeps one schedule, so one instance runs each tick,
  // and the service's row claims make a second run of the same tick change nothing.
  await boss.createQueue(ENFORCE_APPEAL_DEADLINES);
  await boss.schedule(ENFORCE_APPEAL_DEADLINES, '*/5 * * * *', {});
  await boss.work(ENFORCE_APPEAL_DEADLINES, async () => {
    const result = await appealsService.enforceDeadlines(platformSession(orm, 'job:appeal-deadlines'), new Date());
    if (result.refusals.length) throw new Error(`appeal deadlines refused: ${JSON.stringify(result.refusals)}`);
    if (result.escalated || result.expired)
      logger.info({ ...result, refusals: undefined }, 'appeal deadlines enforced');
  });
  return { boss, stop: () => boss.stop({ graceful: true, wait: true }) };
}
