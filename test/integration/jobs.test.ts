import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENFORCE_APPEAL_DEADLINES,
  INTERVENE_AFTER_DELAY,
  RECOMPUTE_TRUST_SCORES,
  startJobs,
} from '../../src/jobs/scheduler';
import { Role } from '../../src/security/roles';
import { RecordScoreEventsDocument } from '../generated/graphql';
import { factories, gid } from '../helpers/factories';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';

describe('scheduled jobs', () => {
  let app: TestApp;
  let jobs: Awaited<ReturnType<typeof startJobs>>;
  beforeAll(async () => {
    app = await createTestApp();
    jobs = await startJobs(app.orm, app.databaseUrl);
  });
  afterAll(async () => {
    await jobs?.stop();
    await app?.close();
  });

  it("schedules the trust-score replay nightly, China time, the appeal SLA timers and rule 3's delayed intervention every five minutes, and the replay repairs stored scores", async () => {
    const schedules = await jobs.boss.getSchedules();
    expect(schedules.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      expect.objectContaining({ name: ENFORCE_APPEAL_DEADLINES, cron: '*/5 * * * *' }),
      expect.objectContaining({ name: INTERVENE_AFTER_DELAY, cron: '*/5 * * * *' }),
      expect.objectContaining({ name: RECOMPUTE_TRUST_SCORES, cron: '17 3 * * *', timezone: 'Asia/Shanghai' }),
    ]);

    const merchant = await factories(app.orm).merchant();
    await app.as(actors.role(Role.INGEST)).data(RecordScoreEventsDocument, {
      input: [
        {
          factor: 'COMPLAINT',
          merchantId: gid.merchant(merchant),
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        },
      ],
    });
    const knex = app.orm.em.getKnex();
    await knex('merchant_score').where('merchant_id', merchant.id).update({ experience: 1 });
    await jobs.boss.send(RECOMPUTE_TRUST_SCORES, {});
    const deadline = Date.now() + 20_000;
    let experience = 1;
    while (experience === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      experience = (await knex('merchant_score').select('experience').where('merchant_id', merchant.id).first())
        .experience;
    }
    expect(experience).toBe(44_200); // 4.5 - 0.08 for the complaint
  }, 30_000);
});
