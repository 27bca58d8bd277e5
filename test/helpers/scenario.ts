import type { Merchant } from '../../src/modules/merchants/merchant.entity';
import { Role } from '../../src/security/roles';
import { OpenAfterSalesCasesDocument, RequestInterventionDocument, RuleOnCaseDocument } from '../generated/graphql';
import { orderPlacer } from './orders';
import { actors, type TestApp } from './test-app';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

interface CaseOptions {
  /** A promoted order (promotion fee 9.90): a full refund then rebates the fee. Default true. */
  promoted?: boolean;
  /** The buyer's refund-only claim, in yuan; default the whole 198.00. */
  requestedAmount?: string;
  /** When it shipped; paid 100 h ago, so the default 60 is on time and 40 is late. */
  shippedHoursAgo?: number;
}

/**
 * A 198.00 order, delivered, whose buyer claims refund-only for quality with the key evidence, and
 * the platform asked to intervene: the case is under review. `rule()` then rules it, in full unless
 * told otherwise (in full on a promoted order: the rebate, the coupon and the fault score event
 * together).
 */
export async function caseUnderReview(
  app: TestApp,
  merchant: Merchant,
  externalNumber: string,
  { promoted = true, requestedAmount = '198.00', shippedHoursAgo = 60 }: CaseOptions = {},
) {
  const orderId = await orderPlacer(() => app)(
    merchant,
    {
      ...(promoted ? { promoted: true, promotionFee: '9.90' } : {}),
      paidAt: hoursAgo(100),
      status: 'DELIVERED',
      shippedAt: hoursAgo(shippedHoursAgo),
      deliveredAt: hoursAgo(30),
    },
    [],
  );
  const opened = await app.as(actors.role(Role.INGEST)).data(OpenAfterSalesCasesDocument, {
    input: [
      {
        platform: 'PINDUODUO',
        externalNumber,
        orderId,
        type: 'REFUND_ONLY',
        reason: 'QUALITY',
        requestedAmount,
        evidence: [
          { kind: 'PHOTO', url: 'https://img.example/a.jpg' },
          { kind: 'DESCRIPTION', text: '破损' },
        ],
      },
    ],
  });
  const caseId = opened.openAfterSalesCases.results[0].afterSalesCase!.id;
  await app.data(RequestInterventionDocument, { input: { caseId } });
  return {
    orderId,
    caseId,
    rule: (
      ruling: { ruling: 'REFUND_FULL' } | { ruling: 'REFUND_PARTIAL'; refundAmount: string } = {
        ruling: 'REFUND_FULL',
      },
      reason = '质量问题属实',
    ) => app.as(actors.role(Role.ARBITRATOR)).data(RuleOnCaseDocument, { input: { caseId, ...ruling, reason } }),
  };
}
