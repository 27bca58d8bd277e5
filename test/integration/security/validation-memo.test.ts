import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../../src/graphql/connection';
import { factories } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const doc = (source: string) => parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;

/**
 * Arguments that passed validation are remembered by class and value, so a console's repeated paging
 * arguments are checked once; a value never checked before is always checked, whatever came before.
 */
describe('remembered argument validation', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    await factories(app.orm).merchant();
  });
  afterAll(() => app?.close());

  const codesOf = async (first: number, nested: number) => {
    const result = await app
      .as(actors.admin)
      .execute(doc(`{ merchants(first: ${first}) { edges { node { orders(first: ${nested}) { totalCount } } } } }`));
    return result.errors?.map((e) => e.extensions?.code) ?? [];
  };

  it(`accepts ${MAX_PAGE_SIZE} and refuses ${MAX_PAGE_SIZE + 1} every time, in any order, at the root and below`, async () => {
    for (let round = 0; round < 2; round++) {
      expect(await codesOf(MAX_PAGE_SIZE, MAX_PAGE_SIZE)).toEqual([]);
      expect(await codesOf(MAX_PAGE_SIZE + 1, MAX_PAGE_SIZE)).toEqual(['BAD_USER_INPUT']);
      expect(await codesOf(MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1)).toEqual(['BAD_USER_INPUT']);
      expect(await codesOf(0, 0)).toEqual([]);
      expect(await codesOf(-1, 0)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
