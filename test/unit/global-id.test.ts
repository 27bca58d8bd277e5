import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromGlobalId, localIdOf, toGlobalId } from '../../src/graphql/global-id';

describe('global ids', () => {
  it('round-trips type and id', () => {
    const id = randomUUID();
    expect(fromGlobalId(toGlobalId('Order', id))).toEqual({ type: 'Order', id });
    expect(localIdOf('Order', toGlobalId('Order', id))).toBe(id);
  });

  it('rejects ids of another type, unknown types and garbage', () => {
    const id = randomUUID();
    expect(localIdOf('Merchant', toGlobalId('Order', id))).toBeNull();
    expect(fromGlobalId(Buffer.from(`Secret:${id}`).toString('base64url'))).toBeNull();
    expect(fromGlobalId(Buffer.from('Order:42').toString('base64url'))).toBeNull();
    expect(fromGlobalId('not an id!')).toBeNull();
    expect(fromGlobalId(id)).toBeNull();
  });
});
