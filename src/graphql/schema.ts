import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type BuildSchemaOptions, buildSchema } from 'type-graphql';
import type { GatewayModule } from '../server/gateway-module';
import { countUserErrors } from '../observability/requests';
import { authChecker, denyRootFieldsWithoutRule, guardFieldsBelowRoot } from '../security/authorization';
import { DateTimeScalar } from './date-time';
import { resolveDirectly } from './direct-resolvers';
import { resolveNodeTypeSynchronously } from './node';
import { answerReadAhead } from './read-ahead';
import { NodeResolver } from './node.resolver';
import { validateArgument } from './validation';

/**
 * type-graphql wants a PubSub once a schema has subscriptions; ours subscribe through the live hub
 * themselves (`subscribe:`), so topics are never used.
 */
const noTopics = {
  publish(): void {
    throw new Error('subscriptions use the live hub, not topics');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('subscriptions use the live hub, not topics');
  },
};

const built = new WeakMap<readonly GatewayModule[], Promise<GraphQLSchema>>();

/**
 * The schema of the modules' resolvers (and `node`), built once per module list: type-graphql's
 * metadata is global anyway.
 */
export function getSchema(modules: readonly GatewayModule[]): Promise<GraphQLSchema> {
  const cached = built.get(modules);
  if (cached) return cached;
  const schema = buildSchema({
    resolvers: [
      NodeResolver,
      ...modules.flatMap((module) => module.resolvers),
    ] as unknown as BuildSchemaOptions['resolvers'],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArgument,
    authChecker,
    pubSub: noTopics,
  })
    .then(resolveDirectly)
    .then(resolveNodeTypeSynchronously)
    .then(denyRootFieldsWithoutRule)
    .then(guardFieldsBelowRoot)
    .then(countUserErrors)
    .then(answerReadAhead);
  built.set(modules, schema);
  return schema;
}

/** The committed snapshot's text: sorted, so it is byte-identical from run to run. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
