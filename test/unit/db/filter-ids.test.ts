import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import knex, { type Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { filledIn, maskedIds, type ReadStatement, templated } from '../../../src/db/read-statements';

const sql = knex({ client: 'pg' });

/** Reads keyed as a connection keys them: the filter with its ids masked; the ids as parameters. */
function read(shape: string, filter: unknown, where: (qb: Knex.QueryBuilder) => void): ReadStatement {
  const { masked, ids } = maskedIds(filter);
  return templated(`test|filter-ids|${shape}|${JSON.stringify(masked)}`, () => sql('t').where(where), {
    filterIds: ids,
  });
}

const byMerchant = (shape: string, merchantId: string, orderId?: string) =>
  read(shape, { merchantId, orderId }, (qb) => {
    qb.where('t.merchant_id', merchantId);
    if (orderId) qb.where('t.order_id', orderId);
  });

/**
 * A filter's ids (`ledgerTransactions(filter: { merchantId })`) are parameters of one statement, so
 * two thousand merchants' filters are one prepared shape, not two thousand texts built and planned
 * per request; each read still runs with its own ids, and nothing ambiguous is templated.
 */
describe('filter ids as parameters', () => {
  it('filters that differ only in their ids share one statement, each filled with its own ids', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.uuid(), fc.uuid(), (m1, o1, m2, o2) => {
        fc.pre(m1 !== o1 && m2 !== o2);
        const [first, second] = [byMerchant('two', m1, o1), byMerchant('two', m2, o2)];
        if (typeof first === 'string' || typeof second === 'string') throw new Error('not templated');
        expect(second.template).toBe(first.template);
        expect(first.template.text).toBe('select * from "t" where ("t"."merchant_id" = $1 and "t"."order_id" = $2)');
        expect(second.params).toEqual([m2, o2]);
        expect(filledIn(second)).toBe(
          `select * from "t" where ("t"."merchant_id" = '${m2}' and "t"."order_id" = '${o2}')`,
        );
      }),
    );
  });

  it('builds per request what it could not tell apart: an id twice, inside a pattern, equal to a constant', () => {
    const id = randomUUID();
    const cases: ReadStatement[] = [
      byMerchant('same id twice', id, id),
      read('pattern', { merchantId: id }, (qb) => qb.whereLike('t.note', `%${id}%`)),
      read('used twice', { merchantId: id }, (qb) => qb.where('t.merchant_id', id).orWhere('t.buyer_id', id)),
      // The builder's own constant happens to be the client's id: templating would put the next
      // client's id in the constant's place.
      read('constant', { merchantId: id }, (qb) => qb.where('t.merchant_id', id).where('t.fund_id', id)),
    ];
    for (const statement of cases) expect(typeof statement).toBe('string');
    expect(cases[1]).toBe(`select * from "t" where ("t"."note" like '%${id}%')`);
  });

  it('masks ids wherever they are in a filter, and nothing else', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(
      maskedIds([
        ['merchantId', a],
        ['kind', ['X', 'Y']],
        ['ids', [b, a]],
        ['at', { from: '2026-12-01' }],
      ]),
    ).toEqual({
      masked: [
        ['merchantId', '#0'],
        ['kind', ['X', 'Y']],
        ['ids', ['#1', '#2']],
        ['at', { from: '2026-12-01' }],
      ],
      ids: [a, b, a],
    });
  });
});
