import { runReadOnly } from '../../db/transaction';
import type { ServiceContext } from '../../db/session';
import { Refused } from '../../shared/refusal';
import { LedgerKind } from '../ledger/ledger.enums';
import { merchantCapOf, monthOf } from '../ledger/subsidies.rules';
import { merchantsService } from '../merchants/merchants.service';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import type { PolicyNumbers } from '../policies/policy.schema';
import { AfterSalesCase } from './after-sales.entity';
import { decisionChanged, replayDecision, snapshotFromJson } from './after-sales.rules';

/**
 * Replays the decisions of the cases opened in [from, to) under a draft policy (the one in force
 * plus `changes`), from the facts each decision kept: how many change, what the high-repurchase
 * refund-only subsidy costs under both (the refunds ruled, capped per merchant and month), and the
 * first changed cases. Writes nothing.
 */
export async function simulatePolicy(
  ctx: ServiceContext,
  input: { changes: Record<string, unknown>; from: Date; to: Date; first: number },
) {
  const now = ctx.now();
  try {
    const simulation = await runReadOnly(ctx, async (snapshot) => {
      const { em } = snapshot;
      const draft = await policiesService.draftIn(snapshot, input.changes, now);
      const timeline = await policiesService.timelineIn(snapshot);
      const cases = await em.find(
        AfterSalesCase,
        { openedAt: { $gte: input.from, $lt: input.to }, decision: { $ne: null } },
        { orderBy: { openedAt: 'asc', id: 'asc' } },
      );
      const replayed = cases.flatMap((c) => {
        const current = c.decision!;
        if (!current.facts) return [];
        const facts = snapshotFromJson(current.facts);
        const currentPolicy = versionInForce(timeline, facts.decidedAt);
        return [{ afterSalesCase: c, current, draft: replayDecision(facts, draft), currentPolicy }];
      });
      const changed = replayed.filter((r) => decisionChanged(r.current, r.draft));
      const merchants = new Map(
        (await merchantsService.findByIds(snapshot, [...new Set(cases.map((c) => c.merchant.id))])).map((m) => [
          m.id,
          m,
        ]),
      );
      const cost = (pick: (r: (typeof replayed)[number]) => { draws: boolean; numbers: PolicyNumbers }) => {
        const byMonth = new Map<string, { sum: number; cap: number }>();
        for (const r of replayed) {
          const { draws, numbers } = pick(r);
          if (!draws || !r.afterSalesCase.refundAmount || !r.afterSalesCase.ruledAt) continue;
          const key = `${r.afterSalesCase.merchant.id}:${monthOf(r.afterSalesCase.ruledAt)}`;
          const cap = merchantCapOf(
            LedgerKind.REFUND_ONLY_SUBSIDY,
            merchants.get(r.afterSalesCase.merchant.id)?.tier,
            numbers,
          );
          const month = byMonth.get(key) ?? { sum: 0, cap };
          month.sum += r.afterSalesCase.refundAmount;
          byMonth.set(key, month);
        }
        return [...byMonth.values()].reduce((total, m) => total + Math.min(m.sum, m.cap), 0);
      };
      const result = {
        policyVersion: draft.version,
        casesReplayed: replayed.length,
        decisionsChanged: changed.length,
        subsidyCostCurrent: cost((r) => ({
          draws: r.current.drawsRepurchaseSubsidy,
          numbers: r.currentPolicy.numbers,
        })),
        subsidyCostDraft: cost((r) => ({
          draws: r.draft.drawsRepurchaseSubsidy && r.draft.refundOnlySupported,
          numbers: draft.numbers,
        })),
        changed: changed.slice(0, input.first).map(({ afterSalesCase, current, draft: replay }) => ({
          afterSalesCase,
          current,
          draft: replay,
        })),
      };
      // Nothing read may be written back at commit, whatever the ORM thinks changed.
      em.clear();
      return result;
    });
    return { simulation, refusals: [] };
  } catch (error) {
    if (error instanceof Refused) return { simulation: null, refusals: error.refusals };
    throw error;
  }
}
