import { randomBytes } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { MikroORM } from '@mikro-orm/postgresql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLFormattedError } from 'graphql';
import { inject } from 'vitest';
import { countStatements } from '../../src/db/query-counter';
import { createApollo } from '../../src/server/app';
import { createRequestContext, type RequestContext } from '../../src/server/context';
import { ANONYMOUS, type Actor } from '../../src/security/actor';
import { Role } from '../../src/security/roles';
import { MovableClock } from './clock';
import { adminQuery, databaseUrl } from './database';
import { GATEWAY, MODULES, ormConfig } from '../../src/modules';

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface Client {
  /** Runs an operation through Apollo's whole pipeline with a fresh request context. */
  execute<T, V extends Record<string, unknown>>(
    document: TypedDocumentNode<T, V>,
    variables?: V,
  ): Promise<GraphQLResult<T>>;
  /** Like `execute`, but fails the test on any GraphQL error and returns the data. */
  data<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V): Promise<T>;
  /** The SQL statements an operation issued. */
  statementsOf<T, V extends Record<string, unknown>>(
    document: TypedDocumentNode<T, V>,
    variables?: V,
  ): Promise<string[]>;
  /** The statements the operation sends and the messages (round trips) they travel in. */
  roundTripsOf<T, V extends Record<string, unknown>>(
    document: TypedDocumentNode<T, V>,
    variables?: V,
  ): Promise<{ statements: string[]; messages: number }>;
}

/** The app's own methods act as an ADMIN; `as(actor)` acts as anyone else. */
export interface TestApp extends Client {
  orm: MikroORM;
  databaseUrl: string;
  apollo: ApolloServer<RequestContext>;
  /** The clock every operation of this app runs on (mutations read the time from it). */
  clock: MovableClock;
  as(actor: Actor): Client;
  close(): Promise<void>;
}

export const actors = {
  admin: { authenticated: true, subject: 'test-admin', role: Role.ADMIN, merchantId: null } as Actor,
  anonymous: ANONYMOUS,
  role: (role: Role): Actor => ({ authenticated: true, subject: `test-${role.toLowerCase()}`, role, merchantId: null }),
  merchant: (merchant: { id: string }): Actor => ({
    authenticated: true,
    subject: `test-merchant-${merchant.id.slice(0, 8)}`,
    role: Role.MERCHANT,
    merchantId: merchant.id,
  }),
};

/** A gateway on a database of this test file's own, copied from the migrated template. */
export async function createTestApp(options: { isProduction?: boolean } = {}): Promise<TestApp> {
  const serverUrl = inject('serverUrl');
  const database = `weiquan_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `create database "${database}" template "${inject('templateDatabase')}"`);
  const url = databaseUrl(serverUrl, database);
  const orm = await MikroORM.init(ormConfig(url));
  const isProduction = options.isProduction ?? false;
  const apollo = await createApollo({ gateway: GATEWAY, isProduction, introspection: !isProduction });
  const clock = new MovableClock();

  const as = (actor: Actor): Client => {
    const execute: Client['execute'] = async (document, variables) => {
      const response = await apollo.executeOperation(
        { query: document, variables },
        { contextValue: createRequestContext(orm, MODULES, { actor, clock }) },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      // Through JSON, as a client over HTTP would see it (dates become ISO strings).
      return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<never>;
    };
    return {
      execute,
      async data(document, variables) {
        const result = await execute(document, variables);
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
        return result.data!;
      },
      async statementsOf(document, variables) {
        const { result, statements } = await countStatements(() => execute(document, variables));
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
        return statements;
      },
      async roundTripsOf(document, variables) {
        const { result, statements, messages } = await countStatements(() => execute(document, variables));
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
        return { statements, messages };
      },
    };
  };
  return {
    orm,
    databaseUrl: url,
    apollo,
    clock,
    as,
    ...as(actors.admin),
    async close() {
      await apollo.stop();
      await orm.close();
      await adminQuery(serverUrl, `drop database if exists "${database}" with (force)`);
    },
  };
}
