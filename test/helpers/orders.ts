import type { Merchant } from '../../src/modules/merchants/merchant.entity';
import { IngestOrdersDocument, TransitionOrderDocument } from '../generated/graphql';
import { factories, orderInput } from './factories';
import type { TestApp } from './test-app';

export type OrderMove = 'SHIPPED' | 'DELIVERED' | 'COMPLETED' | 'REFUNDED';

/**
 * Places orders through the API as the platform would: ingested (paid 4 days ago unless `values`
 * say otherwise, by a new buyer unless one is given), then moved along `path`, each move with its
 * events. Returns the order's global id.
 */
export function orderPlacer(app: () => TestApp, defaultPath: OrderMove[] = []) {
  return async (
    merchant: Merchant,
    values: Parameters<typeof orderInput>[1] = {},
    path: OrderMove[] = defaultPath,
    buyer?: { id: string },
  ): Promise<string> => {
    const make = factories(app().orm);
    const refs = { merchant, buyer: (buyer ?? (await make.buyer())) as never, product: await make.product(merchant) };
    const { ingestOrders } = await app().data(IngestOrdersDocument, {
      input: [orderInput(refs, { paidAt: new Date(Date.now() - 96 * 3_600_000).toISOString(), ...values })],
    });
    const [result] = ingestOrders.results;
    if (result.userErrors.length) throw new Error(`order refused: ${JSON.stringify(result.userErrors)}`);
    const orderId = result.order!.id;
    for (const to of path) await app().data(TransitionOrderDocument, { input: { orderId, to, reason: 'test' } });
    return orderId;
  };
}
