import fc from 'fast-check';
import knex from 'knex';
import { escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { filledIn, literal, templated } from '../../../src/db/read-statements';

const sql = knex({ client: 'pg' });
const ID = '3f0c2a4e-8a47-4c1e-9d7b-1c2d3e4f5a6b';

/**
 * A client's value becomes a literal in a statement's text in two places: the parameters of a prepared
 * read, and a shape's first read, where the template's stand-ins are replaced by the values. Both must
 * write exactly what pg's escapeLiteral writes, for any text.
 */
describe('client values as SQL literals', () => {
  it('literal() writes what escapeLiteral writes, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(literal(text)).toBe(escapeLiteral(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it("a cursor value holding $', $& or $` stays one literal when a shape's first read fills it in", () => {
    const values = ["$')) or true --", "Z$'; update ledger_account set balance = 0 --", '$&$&', '$`', "$$'"];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...values), fc.string({ unit: 'binary' })), fc.integer(), (value, shape) => {
        const statement = templated(
          `test|literals|${shape}`,
          (slots) =>
            sql('merchant as t')
              .select('t.id')
              .whereRaw('(t.name, t.id) > (?, ?::uuid)', [slots.afterValue!, slots.afterId!])
              .limit(3),
          { afterValue: value, afterId: ID },
        );
        const expected = `select "t"."id" from "merchant" as "t" where (t.name, t.id) > (${escapeLiteral(value)}, '${ID}'::uuid) limit 3`;
        expect(filledIn(statement)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
