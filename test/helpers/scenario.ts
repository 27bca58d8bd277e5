import type { Merchant } from '../../src/modules/merchants/merchant.entity';
import { Role } from '../../src/security/roles';
import { OpenAfterSalesCasesDocument, RequestInterventionDocument, RuleOnCaseDocument } from '../generated/graphql';
import { orderPlacer } from './orders';
import { actors, type TestApp } from './test-app';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

/**
 * A promoted 198.00 order, delivered, whose buyer claims refund-only for quality with the key
 * evidence, and the platform asked to intervene: the case is under review. `rule()` then rules it in
 * full (what promotes the rebate, the coupon and the fault score event together).
 */
export async function promotedCaseUnderReview(app: TestApp, merchant: Merchant, externalNumber: string) {
  const orderId = await orderPlacer(() => app)(
    merchant,
    {
      promoted: true,
      promotionFee: '9.90',
      paidAt: hoursAgo(100),
      status: 'DELIVERED',
      shippedAt: hoursAgo(60),
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
        requestedAmount: '198.00',
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
    rule: () =>
      app.as(actors.role(Role.ARBITRATOR)).data(RuleOnCaseDocument, {
        input: { caseId, ruling: 'REFUND_FULL', reason: '质量问题属实' },
      }),
  };
}
