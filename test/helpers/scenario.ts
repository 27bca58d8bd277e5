import type { Merchant } from '../../src/modules/merchants/merchant.entity';
import type { Order } from '../../src/modules/orders/order.entity';
import { Role } from '../../src/security/roles';
import { OrderStatus } from '../../src/shared/enums';
import {
  AllocateFundDocument,
  AssignAppealDocument,
  DecideAppealDocument,
  type DecideAppealMutation,
  FileAppealDocument,
  type FileAppealInput,
  OpenAfterSalesCasesDocument,
  type OpenCaseInput,
  RequestInterventionDocument,
  RuleOnCaseDocument,
  type RuleOnCaseMutation,
} from '../generated/graphql';
import { factories, gid } from './factories';
import { orderPlacer } from './orders';
import { actors, type TestApp } from './test-app';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

export interface OrderOptions {
  /** A promoted order (promotion fee 9.90): a full refund then rebates the fee. */
  promoted?: boolean;
  /** When it shipped; paid 100 h ago, so 60 is on time and 40 is late. Default 60. */
  shippedHoursAgo?: number;
  /** Delivered 30 h ago (default), or also completed 10 h ago. */
  status?: 'DELIVERED' | 'COMPLETED';
}

export type CaseOptions = Partial<Omit<OpenCaseInput, 'orderId' | 'type'>>;

export type Ruling =
  | { ruling: 'REFUND_FULL' | 'REJECTED'; reason?: string }
  | { ruling: 'REFUND_PARTIAL'; refundAmount: string; reason?: string };

/** What a scenario has set up so far: the global ids of what it made, and the ruling's answer. */
export interface ScenarioState {
  merchant: Merchant;
  orderId: string;
  caseId: string;
  ruled: RuleOnCaseMutation['ruleOnCase'];
  appealId: string;
  decided: DecideAppealMutation['decideAppeal'];
}

type Step = (state: Partial<ScenarioState>) => Promise<Partial<ScenarioState>>;

let cases = 0;

/**
 * A test's setup through the API, step by step, as the platform, the merchant and an arbitrator
 * would do it: `await scenario(app).merchant().order({ promoted: true }).case('REFUND_ONLY')
 * .underReview().ruled({ ruling: 'REFUND_FULL' })`. Each step refuses loudly (a user error is a broken
 * setup, not an outcome to test), and a chain is a value: `const review = base.case().underReview()`
 * runs nothing until awaited, and may be awaited again for another case of the same shape.
 */
export class Scenario<S extends Partial<ScenarioState> = Partial<ScenarioState>> implements PromiseLike<S> {
  constructor(
    private readonly app: TestApp,
    private readonly steps: readonly Step[] = [],
  ) {}

  private then_<T extends Partial<ScenarioState>>(step: Step): Scenario<S & T> {
    return new Scenario<S & T>(this.app, [...this.steps, step]);
  }

  /** A new merchant, or the one given. */
  merchant(existing?: Merchant) {
    return this.then_<{ merchant: Merchant }>(async () => ({
      merchant: existing ?? (await factories(this.app.orm).merchant()),
    }));
  }

  /** A 198.00 order of the merchant's, paid 100 h ago, shipped, delivered 30 h ago, by a new buyer. */
  order({ promoted = false, shippedHoursAgo = 60, status = 'DELIVERED' }: OrderOptions = {}) {
    return this.then_<{ orderId: string }>(async ({ merchant }) => ({
      orderId: await orderPlacer(() => this.app)(
        needs(merchant, 'a merchant'),
        {
          ...(promoted ? { promoted: true, promotionFee: '9.90' } : {}),
          paidAt: hoursAgo(100),
          status,
          shippedAt: hoursAgo(shippedHoursAgo),
          deliveredAt: hoursAgo(30),
          ...(status === 'COMPLETED' ? { completedAt: hoursAgo(10) } : {}),
        },
        [],
      ),
    }));
  }

  /**
   * The buyer's claim on the order, relayed by the platform: for quality with the key evidence, the
   * whole 198.00 unless told otherwise.
   */
  case(type: OpenCaseInput['type'] = 'REFUND_ONLY', values: CaseOptions = {}) {
    return this.then_<{ caseId: string }>(async ({ orderId }) => {
      const opened = await this.app.as(actors.role(Role.INGEST)).data(OpenAfterSalesCasesDocument, {
        input: [
          {
            platform: 'PINDUODUO',
            externalNumber: `SCENARIO-${++cases}`,
            orderId: needs(orderId, 'an order'),
            type,
            reason: 'QUALITY',
            requestedAmount: '198.00',
            evidence: [
              { kind: 'PHOTO', url: 'https://img.example/a.jpg' },
              { kind: 'DESCRIPTION', text: '破损' },
            ],
            ...values,
          },
        ],
      });
      const [result] = opened.openAfterSalesCases.results;
      refuseOn(result.userErrors, 'opening the case');
      return { caseId: result.afterSalesCase!.id };
    });
  }

  /** The platform asked to intervene, and it reviews the case. */
  underReview() {
    return this.then_<object>(async ({ caseId }) => {
      const { requestIntervention } = await this.app.data(RequestInterventionDocument, {
        input: { caseId: needs(caseId, 'a case') },
      });
      refuseOn(requestIntervention.userErrors, 'asking for intervention');
      const status = requestIntervention.afterSalesCase?.status;
      if (status !== 'UNDER_REVIEW') throw new Error(`the case is ${status}, not under review`);
      return {};
    });
  }

  /** An arbitrator's ruling, in full unless told otherwise. */
  ruled(ruling: Ruling = { ruling: 'REFUND_FULL' }) {
    return this.then_<Pick<ScenarioState, 'ruled'>>(async ({ caseId }) => {
      const { ruleOnCase } = await this.app.as(actors.role(Role.ARBITRATOR)).data(RuleOnCaseDocument, {
        input: { caseId: needs(caseId, 'a case'), reason: '质量问题属实', ...ruling },
      });
      refuseOn(ruleOnCase.userErrors, 'ruling');
      return { ruled: ruleOnCase };
    });
  }

  /**
   * The merchant's appeal: against the ruling of the case when there is one (the unboxing evidence),
   * else about the order as abnormal (the logistics record).
   */
  appeal(values: Partial<Omit<FileAppealInput, 'merchantId'>> = {}) {
    return this.then_<{ appealId: string }>(async ({ merchant, orderId, caseId }) => {
      const about = caseId
        ? {
            kind: 'AFTER_SALES_RULING' as const,
            subjectType: 'AFTER_SALES_CASE' as const,
            subjectId: caseId,
            statement: '买家恶意索赔',
            evidence: [
              { kind: 'DESCRIPTION' as const, text: '开箱视频显示完好' },
              { kind: 'PHOTO' as const, url: 'https://img.example/ok.jpg' },
            ],
          }
        : {
            kind: 'ABNORMAL_ORDER' as const,
            subjectType: 'ORDER' as const,
            subjectId: needs(orderId, 'an order or a case'),
            statement: '该订单延迟发货系物流公司原因',
            evidence: [
              { kind: 'DESCRIPTION' as const, text: '物流延误，非商家原因' },
              { kind: 'LOGISTICS_RECORD' as const, url: 'https://logistics.example/track/1' },
            ],
          };
      const shop = needs(merchant, 'a merchant');
      const { fileAppeal } = await this.app.as(actors.merchant(shop)).data(FileAppealDocument, {
        input: { merchantId: gid.merchant(shop), ...about, ...values },
      });
      refuseOn(fileAppeal.userErrors, 'filing the appeal');
      return { appealId: fileAppeal.appeal!.id };
    });
  }

  /**
   * An arbitrator takes the appeal and decides it: upheld (with `compensation`, in yuan) unless told
   * otherwise; a rejection names the policy `clause` it rests on.
   */
  decided({
    upheld = true,
    compensation,
    reason = '证据充分',
    clause,
  }: { upheld?: boolean; compensation?: string; reason?: string; clause?: string } = {}) {
    return this.then_<Pick<ScenarioState, 'decided'>>(async ({ appealId }) => {
      const arbitrator = this.app.as(actors.role(Role.ARBITRATOR));
      const input = { appealId: needs(appealId, 'an appeal') };
      refuseOn(
        (await arbitrator.data(AssignAppealDocument, { input })).assignAppeal.userErrors,
        'assigning the appeal',
      );
      const { decideAppeal } = await arbitrator.data(DecideAppealDocument, {
        input: { ...input, upheld, reason, ...(compensation ? { compensation } : {}), ...(clause ? { clause } : {}) },
      });
      refuseOn(decideAppeal.userErrors, 'deciding the appeal');
      return { decided: decideAppeal };
    });
  }

  then<R1 = S, R2 = never>(
    fulfilled?: ((state: S) => R1 | PromiseLike<R1>) | null,
    rejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const run = async () => {
      let state: Partial<ScenarioState> = {};
      for (const step of this.steps) state = { ...state, ...(await step(state)) };
      return state as S;
    };
    return run().then(fulfilled, rejected);
  }
}

/** A scenario from nothing, or going on from what an earlier one made (`{ merchant, orderId }`, `{ caseId }`). */
export const scenario = (app: TestApp, from: Partial<ScenarioState> = {}) => new Scenario(app, [async () => from]);

function needs<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the scenario needs ${what} first`);
  return value;
}

function refuseOn(userErrors: readonly unknown[], step: string): void {
  if (userErrors.length) throw new Error(`${step} was refused: ${JSON.stringify(userErrors)}`);
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
  {
    promoted = true,
    requestedAmount = '198.00',
    shippedHoursAgo = 60,
  }: OrderOptions & { requestedAmount?: string } = {},
) {
  const { orderId, caseId } = await scenario(app)
    .merchant(merchant)
    .order({ promoted, shippedHoursAgo })
    .case('REFUND_ONLY', { externalNumber, requestedAmount })
    .underReview();
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

/**
 * An order shipped just now (one line, 99.00 of goods) of a new merchant, and 1,000.00 allocated to the
 * special-subsidy fund: what a payout test posts against.
 */
export async function fundedShippedOrder(app: TestApp): Promise<Order> {
  const make = factories(app.orm);
  const merchant = await make.merchant();
  const [order] = await make.orders(
    [
      {
        merchant,
        buyer: await make.buyer(),
        product: await make.product(merchant),
        count: 1,
        status: OrderStatus.SHIPPED,
        values: { shippedAt: new Date() },
      },
    ],
    1,
  );
  await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
    input: { fund: 'SPECIAL_SUBSIDY', amount: '1000', reason: 'budget', idempotencyKey: 'budget' },
  });
  return order;
}
