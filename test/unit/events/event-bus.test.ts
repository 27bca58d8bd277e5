import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/db/events';
import type { Tx } from '../../../src/db/transaction';
import { registerEventHandlers } from '../../../src/modules/event-handlers';

const settled = { type: 'MerchantStatusChanged' } as never;

describe('blocking handlers run in the order they declare', () => {
  it('a handler runs after those it names, whatever the order of registration; the others as registered', async () => {
    const bus = new EventBus();
    const ran: string[] = [];
    const record = (name: string) => async () => void ran.push(name);
    bus.onBlocking('MerchantStatusChanged', { name: 'live', after: ['audit'] }, record('live'));
    bus.onBlocking('MerchantStatusChanged', { name: 'consequence', after: ['audit', 'live'] }, record('consequence'));
    bus.onBlocking('MerchantStatusChanged', { name: 'unrelated' }, record('unrelated'));
    bus.onBlocking('MerchantStatusChanged', { name: 'audit' }, record('audit'));
    bus.markReady();
    await bus.runBlocking({} as Tx, [settled]);
    expect(ran).toEqual(['unrelated', 'audit', 'live', 'consequence']);
    expect(bus.handlerNames('MerchantStatusChanged')).toEqual(ran);
  });

  it('refuses to start with an unknown name or a circle', () => {
    const unknown = new EventBus();
    unknown.onBlocking('MerchantStatusChanged', { name: 'a', after: ['nobody'] }, async () => {});
    expect(() => unknown.markReady()).toThrow('a runs after unknown handlers: nobody');
    const circle = new EventBus();
    circle.onBlocking('MerchantStatusChanged', { name: 'a', after: ['b'] }, async () => {});
    circle.onBlocking('MerchantStatusChanged', { name: 'b', after: ['a'] }, async () => {});
    expect(() => circle.markReady()).toThrow('wait for each other: a, b');
  });

  it("the gateway's wiring: a cause's audit line and announcement first, then what it causes", () => {
    const bus = new EventBus();
    registerEventHandlers(bus);
    expect(bus.handlerNames('AfterSalesCaseRuled')).toEqual([
      'audit.record',
      'live.publish',
      'trust.caseRuled',
      'ledger.casePayouts',
    ]);
    expect(bus.handlerNames('BuyerFlagsChanged')).toEqual(['trust.buyerRisk', 'warnings.flaggedBuyerOrders']);
    expect(bus.handlerNames('AppealDecided')).toEqual([
      'ledger.appealPayouts',
      'trust.appealOutcome',
      'merchants.penaltyReversal',
    ]);
  });
});
