import type { MikroORM } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import { platformSession } from '../db/session';
import { registerEventHandlers } from '../modules/event-handlers';
import { trustService } from '../modules/trust/trust.service';
import { logger } from '../shared/logger';

export const RECOMPUTE_TRUST_SCORES = 'recompute-trust-scores';

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
  return { boss, stop: () => boss.stop({ graceful: true, wait: true }) };
}
