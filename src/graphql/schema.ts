import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type BuildSchemaOptions, buildSchema, getMetadataStorage } from 'type-graphql';
import type { GatewayModule } from '../server/gateway-module';
import { countUserErrors } from '../observability/requests';
import { authChecker, denyRootFieldsWithoutRule, guardFieldsBelowRoot, readerPlan } from '../security/authorization';
import { DateTimeScalar } from './date-time';
import { resolveDirectly } from './direct-resolvers';
import { entityNodeTypes, resolveNodeTypeSynchronously } from './node';
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
const builtForReaders = new WeakMap<readonly GatewayModule[], Promise<GraphQLSchema>>();

/**
 * The schema of the modules' resolvers (and `node`), built once per module list: type-graphql's
 * metadata is global anyway. Every field below the root checks the actor's role (`guardFieldsBelowRoot`).
 */
export function getSchema(modules: readonly GatewayModule[]): Promise<GraphQLSchema> {
  return once(built, modules, () => build(modules, guardFieldsBelowRoot));
}

/**
 * The same schema for actors that read every field (`readsEveryField`): the role is checked once per
 * operation by the executor that picks this schema, so no field checks it per object. Its text is
 * the same as `getSchema`'s; only the compiled executor runs it.
 */
export function getReaderSchema(modules: readonly GatewayModule[]): Promise<GraphQLSchema> {
  return once(builtForReaders, modules, () => {
    // Types whose objects are entity instances: entity classes that are GraphQL types themselves, and
    // the Node types backed by an entity.
    const entityClasses = new Set<unknown>(modules.flatMap((module) => module.entities));
    const entityTypes = new Set([
      ...getMetadataStorage()
        .objectTypes.filter((type) => entityClasses.has(type.target))
        .map((type) => type.name),
      ...entityNodeTypes(),
    ]);
    return build(modules, (schema) => readerPlan(schema, entityTypes));
  });
}

function once(
  cache: WeakMap<readonly GatewayModule[], Promise<GraphQLSchema>>,
  modules: readonly GatewayModule[],
  make: () => Promise<GraphQLSchema>,
): Promise<GraphQLSchema> {
  let schema = cache.get(modules);
  if (!schema) cache.set(modules, (schema = make()));
  return schema;
}

function build(
  modules: readonly GatewayModule[],
  authorizeBelowRoot: (schema: GraphQLSchema) => GraphQLSchema,
): Promise<GraphQLSchema> {
  return buildSchema({
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
    .then(authorizeBelowRoot)
    .then(countUserErrors)
    .then(answerReadAhead);
}

/** The committed snapshot's text: sorted, so it is byte-identical from run to run. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
