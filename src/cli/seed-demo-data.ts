import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Buyer } from '../modules/buyers/buyer.entity';
import { Merchant, MerchantStatusChange } from '../modules/merchants/merchant.entity';
import { Order } from '../modules/orders/order.entity';
import { MAX_INGEST_BATCH } from '../modules/orders/orders.rules';
import { type IngestItem, type IngestRequest, ordersService } from '../modules/orders/orders.service';
import { productsService } from '../modules/products/products.service';
import { Product, ProductPrice } from '../modules/products/product.entity';
import { MerchantStatus, MerchantTier, OrderStatus, Province, SalesPlatform } from '../shared/enums';
import { logger } from '../shared/logger';
import { FundCode, LedgerKind } from '../modules/ledger/ledger.enums';
import { subsidiesService } from '../modules/ledger/subsidies.service';
import { ScoreFactor } from '../modules/policies/policy.schema';
import { trustService } from '../modules/trust/trust.service';
import { merchantContext, platformContext } from '../server/context';
import { MODULES } from '../modules';
import { CaseReason, CaseRuling, CaseType, EvidenceKind } from '../modules/after-sales/after-sales.enums';
import { afterSalesService } from '../modules/after-sales/after-sales.service';
import { AppealKind, AppealSubjectType } from '../modules/appeals/appeals.enums';
import { appealsService } from '../modules/appeals/appeals.service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEMO_SIZES = { merchants: 36, buyers: 400, productsPerMerchant: [3, 8], orders: 3000, days: 90 } as const;

const CATEGORIES = ['服装', '家居', '食品', '数码', '美妆', '母婴', '家电', '定制礼品', '家具', '生鲜'];
const PRODUCT_WORDS: Record<string, string[]> = {
  服装: ['纯棉T恤', '羽绒服', '牛仔裤', '连衣裙'],
  家居: ['四件套', '收纳箱', '香薰蜡烛', '地毯'],
  食品: ['坚果礼盒', '挂面', '蜂蜜', '茶叶'],
  数码: ['蓝牙耳机', '充电宝', '数据线', '键盘'],
  美妆: ['面膜', '口红', '防晒霜', '洗面奶'],
  母婴: ['纸尿裤', '奶瓶', '婴儿湿巾', '儿童餐椅'],
  家电: ['电饭煲', '空气炸锅', '电风扇', '吸尘器'],
  定制礼品: ['刻字钢笔', '定制相册', '印花抱枕', '定制马克杯'],
  家具: ['实木书桌', '布艺沙发', '床垫', '衣柜'],
  生鲜: ['赣南脐橙', '阳澄湖大闸蟹', '烟台苹果', '海南芒果'],
};
const TIER_WEIGHTS: { weight: number; value: MerchantTier }[] = [
  { weight: 12, value: MerchantTier.STANDARD },
  { weight: 10, value: MerchantTier.SMALL },
  { weight: 6, value: MerchantTier.NEW_QUALITY },
  { weight: 5, value: MerchantTier.STRENGTH },
  { weight: 3, value: MerchantTier.SUPER_FACTORY },
];
const MERCHANT_REGIONS = [
  Province.ZHEJIANG,
  Province.GUANGDONG,
  Province.JIANGSU,
  Province.FUJIAN,
  Province.SHANDONG,
  Province.SHANGHAI,
  Province.HEBEI,
];
const PLATFORMS = Object.values(SalesPlatform);
const PROVINCES = Object.values(Province).filter(
  (p) => ![Province.HONG_KONG, Province.MACAU, Province.TAIWAN].includes(p),
);

/**
 * A deterministic demo world (seeded random; dates relative to the start of today, UTC): merchants
 * across tiers and regions, buyers with a few flagged, products with price history, and orders over
 * the last 90 days in every status. Names are Chinese.
 */
export async function seedDemoData(em: EntityManager, now = new Date()): Promise<IngestRequest[]> {
  // Loaded here, and one locale only: the package's index loads all seventy (some 40 MB of heap that
  // a gateway whose database has data would carry for nothing).
  const { faker } = await import('@faker-js/faker/locale/zh_CN');
  faker.seed(20250101);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = today - DEMO_SIZES.days * DAY;
  const at = (ms: number) => new Date(Math.min(ms, now.getTime()));

  const merchants = Array.from({ length: DEMO_SIZES.merchants }, (_, i) => {
    const tier = faker.helpers.weightedArrayElement(TIER_WEIGHTS);
    const merchant = em.create(Merchant, {
      externalId: `SHOP${String(10001 + i)}`,
      name: faker.company.name().slice(0, 200),
      tier,
      mainCategory: faker.helpers.arrayElement(CATEGORIES),
      region: faker.helpers.arrayElement(MERCHANT_REGIONS),
      deposit: faker.helpers.arrayElement([100_000, 200_000, 500_000, 1_000_000]),
      createdAt: new Date(start - 30 * DAY),
    });
    em.create(MerchantStatusChange, {
      merchant,
      fromStatus: null,
      toStatus: MerchantStatus.ACTIVE,
      actor: 'seed',
      reason: 'merchant registered',
      changedAt: merchant.createdAt,
    });
    return merchant;
  });
  // A couple of merchants under review, so the status history shows warnings.
  for (const merchant of merchants.slice(-2)) {
    em.create(MerchantStatusChange, {
      merchant,
      fromStatus: MerchantStatus.ACTIVE,
      toStatus: MerchantStatus.WARNED,
      actor: 'seed',
      reason: '异常订单比例偏高，请在 7 天内整改',
      changedAt: new Date(today - 5 * DAY),
    });
    merchant.status = MerchantStatus.WARNED;
  }

  const buyers = Array.from({ length: DEMO_SIZES.buyers }, (_, i) =>
    em.create(Buyer, {
      externalId: `BUYER${String(500001 + i)}`,
      nickname: `${faker.person.lastName()}${faker.person.firstName()}`,
      superBuyer: i % 20 === 0,
      malicious: i % 27 === 13,
    }),
  );

  const products = merchants.flatMap((merchant) =>
    Array.from(
      { length: faker.number.int({ min: DEMO_SIZES.productsPerMerchant[0], max: DEMO_SIZES.productsPerMerchant[1] }) },
      (_, i) => {
        const category = faker.datatype.boolean(0.8) ? merchant.mainCategory : faker.helpers.arrayElement(CATEGORIES);
        const prices = Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () =>
          faker.number.int({ min: 990, max: 99_900 }),
        );
        const product = em.create(Product, {
          merchant,
          externalId: `SKU${String(i + 1).padStart(4, '0')}`,
          title: `${faker.helpers.arrayElement(PRODUCT_WORDS[category])} ${faker.commerce.productAdjective()}款`,
          category,
          currentPrice: prices.at(-1)!,
          createdAt: new Date(start - 10 * DAY),
        });
        prices.forEach((price, k) =>
          em.create(ProductPrice, { product, price, effectiveFrom: new Date(start - 10 * DAY + k * 25 * DAY) }),
        );
        return product;
      },
    ),
  );
  const productsByMerchant = new Map(merchants.map((m) => [m, products.filter((p) => p.merchant === m)]));

  // Shops that show every band: the first keeps a circle of regular customers and ships on time (a
  // high-repurchase merchant, 高回头率, near the top band); the second ships late and refunds often;
  // the last opened lately and has too few orders for a score (NEW).
  const [loyal, careless] = merchants;
  const newcomer = merchants[merchants.length - 1];
  const established = merchants.slice(0, -1);
  const regulars = buyers.slice(0, 30).filter((buyer) => !buyer.malicious);
  await em.flush();

  const orders: IngestRequest[] = [];
  for (let n = 0; n < DEMO_SIZES.orders; n++) {
    const regular = n % 20 === 0;
    const merchant = n % 600 === 7 ? newcomer : regular ? loyal : faker.helpers.arrayElement(established);
    const buyer = regular ? faker.helpers.arrayElement(regulars) : faker.helpers.arrayElement(buyers);
    const paidAt = new Date(start + faker.number.int({ min: 0, max: DEMO_SIZES.days * DAY - HOUR }));
    const ageDays = (today - paidAt.getTime()) / DAY;
    const lineProducts = faker.helpers.arrayElements(productsByMerchant.get(merchant)!, { min: 1, max: 3 });
    const lines = lineProducts.map((product) => ({
      productId: product.id,
      quantity: faker.number.int({ min: 1, max: 3 }),
      unitPrice: product.currentPrice,
    }));
    const gross = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
    const paidAmount = Math.round(gross * faker.helpers.arrayElement([1, 1, 1, 0.95, 0.9]));
    const promoted = faker.datatype.boolean(0.3);
    const destinationRegion = faker.helpers.arrayElement(PROVINCES);

    // Most shops ship within the 48-hour window; about one order in twenty goes out late.
    const shippedAt = at(
      paidAt.getTime() +
        (faker.datatype.boolean(merchant === loyal ? 0 : merchant === careless ? 0.6 : 0.05)
          ? faker.number.int({ min: 49, max: 72 })
          : faker.number.int({ min: 2, max: 40 })) *
          HOUR,
    );
    const deliveredAt = at(shippedAt.getTime() + faker.number.int({ min: 24, max: 96 }) * HOUR);
    const completedAt = at(deliveredAt.getTime() + 7 * DAY);
    const roll = faker.number.float();
    let status: OrderStatus;
    const refundShare = merchant === loyal ? 0 : merchant === careless ? 0.4 : 0.12;
    if (roll < Math.min(0.04, refundShare)) status = OrderStatus.CANCELLED;
    else if (roll < refundShare) status = OrderStatus.REFUNDED;
    else if (completedAt.getTime() < now.getTime() && ageDays > 12) status = OrderStatus.COMPLETED;
    else if (deliveredAt.getTime() < now.getTime() && ageDays > 4) status = OrderStatus.DELIVERED;
    else if (shippedAt.getTime() < now.getTime() && ageDays > 1) status = OrderStatus.SHIPPED;
    else status = OrderStatus.PAID;
    const reached = (s: OrderStatus[]) => s.includes(status);

    const item: IngestItem = {
      platform: faker.helpers.arrayElement(PLATFORMS),
      externalNumber: `${today / DAY}${String(n).padStart(6, '0')}`,
      merchantId: merchant.id,
      buyerId: buyer.id,
      lines,
      status,
      paidAmount,
      shippingFee: faker.helpers.arrayElement([0, 0, 0, 500, 800, 1200]),
      destinationRegion,
      promoted,
      promotionFee: promoted ? Math.round(paidAmount * 0.05) : 0,
      custom: merchant.mainCategory === '定制礼品' || faker.datatype.boolean(0.03),
      hosted: faker.datatype.boolean(0.1),
      paidAt,
      shippedAt: reached([OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED]) ? shippedAt : null,
      deliveredAt: reached([OrderStatus.DELIVERED, OrderStatus.COMPLETED]) ? deliveredAt : null,
      completedAt: reached([OrderStatus.COMPLETED]) ? completedAt : null,
      cancelledAt: status === OrderStatus.CANCELLED ? at(paidAt.getTime() + 3 * HOUR) : null,
      refundedAt: status === OrderStatus.REFUNDED ? at(paidAt.getTime() + 30 * HOUR) : null,
      refusals: [],
    };
    orders.push({ item, sent: item as never });
  }
  // In the order they were paid, as the platform would have sent them.
  return orders.sort((x, y) => x.item.paidAt.getTime() - y.item.paidAt.getTime());
}

/**
 * The demo orders, ingested like the platform's own in batches: every rule that follows an order
 * event runs (breaker samples, abnormal-order warnings, on-time and late scores, the automatic fees,
 * remote transfer fees and rebates), so the demo's money and counters are what the rules produce.
 */
async function ingestDemoOrders(orm: MikroORM, orders: IngestRequest[]): Promise<void> {
  for (let i = 0; i < orders.length; i += MAX_INGEST_BATCH) {
    const outcome = await ordersService.ingest(
      platformContext(orm, MODULES, 'INGEST:seed'),
      orders.slice(i, i + MAX_INGEST_BATCH),
    );
    const refused = (outcome.results ?? []).filter((r) => r.refusals.length);
    if (outcome.refusals.length || refused.length)
      throw new Error(`demo orders refused: ${JSON.stringify([...outcome.refusals, ...refused.slice(0, 3)])}`);
  }
}

/** Fund budgets first, so the automatic payouts of the orders find money: 10 million yuan of special subsidies, the 10-billion resource pack. */
async function seedDemoBudgets(orm: MikroORM): Promise<void> {
  const ctx = () => platformContext(orm, MODULES, 'ADMIN:seed');
  await subsidiesService.allocate(ctx(), {
    fund: FundCode.SPECIAL_SUBSIDY,
    amount: 1_000_000_000,
    reason: '专项资金年度预算',
    idempotencyKey: 'seed-budget-special',
  });
  await subsidiesService.allocate(ctx(), {
    fund: FundCode.RESOURCE_PACK,
    amount: 1_000_000_000_000,
    reason: '百亿资源包',
    idempotencyKey: 'seed-budget-resource-pack',
  });
}

/** A few postings made by hand, through the ledger service like any: return shipping, small-merchant coupons. */
async function seedDemoPostings(orm: MikroORM): Promise<void> {
  const ctx = () => platformContext(orm, MODULES, 'ADMIN:seed');
  const em = orm.em.fork();
  const completed = await em.find(
    Order,
    { status: OrderStatus.COMPLETED },
    { orderBy: { externalNumber: 'asc' }, limit: 5 },
  );
  for (const order of completed) {
    await subsidiesService.post(ctx(), {
      kind: LedgerKind.RETURN_SHIPPING_SUBSIDY,
      orderId: order.id,
      amount: 1_800,
      officialPickup: true,
      idempotencyKey: `seed-return-${order.id}`,
      reason: '官方物流上门取件退货',
    });
  }
  const small = await em.findOne(Merchant, { tier: MerchantTier.SMALL }, { orderBy: { externalId: 'asc' } });
  if (small) {
    await subsidiesService.post(ctx(), {
      kind: LedgerKind.SMALL_MERCHANT_COUPONS,
      merchantId: small.id,
      amount: 200_000,
      idempotencyKey: 'seed-coupons',
      reason: '小商家帮扶基金',
    });
  }
}

/**
 * Price cuts far below a product's median, sent by one shop as a merchant would: each is held and
 * raises a low-price warning (低价风险), so the warnings list shows both kinds.
 */
async function seedDemoPriceCuts(orm: MikroORM): Promise<void> {
  const em = orm.em.fork();
  const shop = await em.findOneOrFail(Merchant, { externalId: 'SHOP10002' });
  for (const product of await em.find(Product, { merchant: shop }, { orderBy: { externalId: 'asc' } })) {
    await productsService.upsert(merchantContext(orm, MODULES, shop.id, 'MERCHANT:seed'), {
      merchantId: shop.id,
      externalId: product.externalId,
      title: product.title,
      category: product.category,
      price: Math.max(1, Math.round(product.currentPrice * 0.3)),
    });
  }
}

/**
 * A refund-only request on the buyer's record for each refunded demo order, recorded like the
 * platform would (on-time and late shipments were scored when the orders were ingested).
 */
async function seedDemoScores(orm: MikroORM): Promise<void> {
  const ctx = () => platformContext(orm, MODULES, 'INGEST:seed');
  const em = orm.em.fork();
  const refunded = await em.find(Order, { status: OrderStatus.REFUNDED }, { orderBy: { paidAt: 'asc' } });
  const events = refunded.map((order) => ({
    factor: ScoreFactor.REFUND_ONLY_REQUESTED,
    buyerId: order.buyer.id,
    orderId: null,
    occurredAt: order.refundedAt ?? order.paidAt,
  }));
  for (let i = 0; i < events.length; i += 1000) {
    const { refusals } = await trustService.record(ctx(), events.slice(i, i + 1000));
    if (refusals.length) throw new Error(`demo score events refused: ${JSON.stringify(refusals.slice(0, 3))}`);
  }
}

function ordersByMerchant(orders: Order[]): Map<string, Order[]> {
  const groups = new Map<string, Order[]>();
  for (const order of orders) groups.set(order.merchant.id, [...(groups.get(order.merchant.id) ?? []), order]);
  return groups;
}

/** 150 yuan: above what a HIGH-band merchant decides alone, within what the platform intervenes on. */
const DEMO_CLAIM = 15_000;

const CASE_PLANS: {
  type: CaseType;
  reason: CaseReason;
  pickup?: boolean;
  then: 'open' | 'message' | 'intervene' | CaseRuling | 'withdraw';
}[] = [
  { type: CaseType.REFUND_ONLY, reason: CaseReason.QUALITY, then: CaseRuling.REFUND_FULL },
  { type: CaseType.REFUND_ONLY, reason: CaseReason.MINOR_DEFECT, then: 'intervene' },
  { type: CaseType.REFUND_ONLY, reason: CaseReason.NOT_AS_DESCRIBED, then: CaseRuling.REFUND_PARTIAL },
  { type: CaseType.REFUND_ONLY, reason: CaseReason.CHANGED_MIND, then: CaseRuling.REJECTED },
  { type: CaseType.RETURN_REFUND, reason: CaseReason.DAMAGED, pickup: true, then: CaseRuling.REFUND_FULL },
  { type: CaseType.RETURN_REFUND, reason: CaseReason.WRONG_ITEM, pickup: true, then: 'message' },
  { type: CaseType.EXCHANGE, reason: CaseReason.QUALITY, pickup: true, then: 'open' },
  { type: CaseType.REFUND_ONLY, reason: CaseReason.LOGISTICS, then: 'withdraw' },
];

/**
 * After-sales cases over delivered demo orders, through the service like the platform's would: one of
 * each plan per round, left open, negotiating, waiting, ruled every way, or withdrawn, so Sandbox
 * shows the refund-only rules and their rationale at work.
 */
async function seedDemoCases(orm: MikroORM): Promise<void> {
  const platform = () => platformContext(orm, MODULES, 'INGEST:seed');
  const arbitrator = () => platformContext(orm, MODULES, 'ARBITRATOR:seed');
  const em = orm.em.fork();
  const candidates = await em.find(
    Order,
    { status: { $in: [OrderStatus.DELIVERED, OrderStatus.COMPLETED] }, paidAmount: { $gte: DEMO_CLAIM } },
    // From the other end of the list than the ledger's seed postings, which already paid some returns.
    { orderBy: { externalNumber: 'desc' }, limit: 400 },
  );
  // One shop gets a full round of cases (its list has pages); the others share the rest.
  const [busiest] = [...ordersByMerchant(candidates).values()].sort((x, y) => y.length - x.length);
  const first = new Set(busiest.slice(0, CASE_PLANS.length));
  const delivered = [...first, ...candidates.filter((order) => !first.has(order))].slice(0, CASE_PLANS.length * 3);
  const items = delivered.map((order, i) => {
    const plan = CASE_PLANS[i % CASE_PLANS.length];
    return {
      platform: order.platform,
      externalNumber: `AS${order.externalNumber}`,
      orderId: order.id,
      type: plan.type,
      reason: plan.reason,
      requestedAmount: DEMO_CLAIM,
      officialPickup: plan.pickup ?? false,
      openedAt: new Date((order.deliveredAt ?? order.paidAt).getTime() + 3_600_000),
      evidence: [
        { kind: EvidenceKind.PHOTO, url: `https://img.example.com/${order.externalNumber}.jpg` },
        { kind: EvidenceKind.DESCRIPTION, text: '买家描述：收到的商品与页面不符' },
      ],
      refusals: [],
    };
  });
  const opened = await afterSalesService.open(platform(), items);
  for (const [i, result] of (opened.results ?? []).entries()) {
    const caseId = result.afterSalesCase?.id;
    if (!caseId) continue;
    const plan = CASE_PLANS[i % CASE_PLANS.length];
    if (plan.then === 'open') continue;
    if (plan.then === 'withdraw') {
      await afterSalesService.withdraw(platform(), { caseId, reason: '买家撤销申请' });
      continue;
    }
    await afterSalesService.addMessage(platform(), { caseId, body: '商家您好，商品有问题，请处理。' });
    if (plan.then === 'message') continue;
    await afterSalesService.requestIntervention(platform(), { caseId });
    if (plan.then === 'intervene') continue;
    await afterSalesService.rule(arbitrator(), {
      caseId,
      ruling: plan.then,
      refundAmount: plan.then === CaseRuling.REFUND_PARTIAL ? DEMO_CLAIM / 2 : null,
      returnShippingCost: plan.pickup && plan.then !== CaseRuling.REJECTED ? 1_200 : null,
      reason: plan.then === CaseRuling.REJECTED ? '无质量问题，不支持仅退款' : '质量问题属实',
    });
  }
}

/**
 * Appeals on late-shipped demo orders, filed by their merchants: one waiting, one under review, one
 * upheld (the platform pays and the deduction is voided), one rejected — so the queue, the money and
 * the restored score show in Sandbox.
 */
async function seedDemoAppeals(orm: MikroORM): Promise<void> {
  const arbitrator = () => platformContext(orm, MODULES, 'ARBITRATOR:seed');
  const em = orm.em.fork();
  const late = (
    await em.find(
      Order,
      { status: OrderStatus.COMPLETED, shippedAt: { $ne: null } },
      { orderBy: { externalNumber: 'asc' } },
    )
  ).filter((order) => order.shippedAt! > order.shipBy);
  const byMerchant = ordersByMerchant(late);
  const plans = ['wait', 'review', 'uphold', 'reject'] as const;
  // The shop with the most late shipments appeals each of them (its list has a page or two); three
  // other shops appeal one each.
  const [busiest, ...others] = [...byMerchant.values()].sort((x, y) => y.length - x.length);
  const filings = [...(busiest ?? []).slice(0, 8), ...others.slice(0, 3).map((orders) => orders[0])];
  for (const [i, order] of filings.entries()) {
    const plan = plans[i % plans.length];
    const { appeal } = await appealsService.file(merchantContext(orm, MODULES, order.merchant.id, 'MERCHANT:seed'), {
      merchantId: order.merchant.id,
      kind: AppealKind.ABNORMAL_ORDER,
      subjectType: AppealSubjectType.ORDER,
      subjectId: order.id,
      statement: '发货延迟系快递公司揽收延误，非商家原因',
      evidence: [
        { kind: EvidenceKind.DESCRIPTION, text: '快递公司出具的延误说明' },
        { kind: EvidenceKind.LOGISTICS_RECORD, url: `https://logistics.example.com/${order.externalNumber}` },
      ],
    });
    if (!appeal || plan === 'wait') continue;
    await appealsService.assign(arbitrator(), { appealId: appeal.id });
    if (plan === 'uphold') {
      await appealsService.decide(arbitrator(), {
        appealId: appeal.id,
        upheld: true,
        reason: '物流原因属实',
        compensation: 2_000,
      });
    }
    if (plan === 'reject') {
      await appealsService.decide(arbitrator(), {
        appealId: appeal.id,
        upheld: false,
        reason: '揽收记录显示按时',
        clause: 'shipWithinHours',
      });
    }
  }
}

/** On an empty database (no merchants), loads the demo world; otherwise leaves the data alone. */
export async function seedDemoDataIfEmpty(orm: MikroORM): Promise<boolean> {
  const em = orm.em.fork();
  if ((await em.count(Merchant)) > 0) return false;
  const started = Date.now();
  const steps: Record<string, number> = {};
  const step = async (name: string, work: () => Promise<unknown>) => {
    const at = Date.now();
    await work();
    steps[name] = Date.now() - at;
  };
  let orders: IngestRequest[] = [];
  await step('reference', async () => (orders = await em.transactional((tx) => seedDemoData(tx as EntityManager))));
  await step('budgets', () => seedDemoBudgets(orm));
  await step('orders', () => ingestDemoOrders(orm, orders));
  await step('postings', () => seedDemoPostings(orm));
  await step('scores', () => seedDemoScores(orm));
  await step('prices', () => seedDemoPriceCuts(orm));
  await step('cases', () => seedDemoCases(orm));
  await step('appeals', () => seedDemoAppeals(orm));
  logger.info({ ...DEMO_SIZES, ms: Date.now() - started, steps }, 'demo data loaded');
  return true;
}
