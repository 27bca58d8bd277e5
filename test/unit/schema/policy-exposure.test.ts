import { getNamedType, type GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_NUMBERS } from '../../../src/modules/policies/policy.defaults';
import { gatewaySchema } from '../../../src/modules';

/** Every number of the policy, at every depth, against the fields of `activePolicy { numbers }`. */
function missing(value: unknown, type: GraphQLObjectType, path: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const fields = type.getFields();
  return Object.entries(value).flatMap(([key, inner]) => {
    const field = fields[key];
    if (!field) return [`${path}.${key}`];
    const named = getNamedType(field.type);
    // Money fields and lists (keyed records become lists of entries) stop the walk.
    if (!isObjectType(named) || named.name === 'Money' || !inner || typeof inner !== 'object') return [];
    if (Object.keys(inner).some((k) => k === k.toUpperCase())) return []; // a record keyed by an enum
    return missing(inner, named, `${path}.${key}`);
  });
}

describe('the policy in force, as the API shows it', () => {
  it('exposes every number that decides an outcome: each key of the policy schema is a field of PolicyNumbers', async () => {
    const numbers = (await gatewaySchema()).getType('PolicyNumbers') as GraphQLObjectType;
    expect(missing(DEFAULT_POLICY_NUMBERS, numbers, 'numbers')).toEqual([]);
  });
});
