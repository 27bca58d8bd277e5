import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  type DirectiveNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  lexicographicSortSchema,
  parse,
  printSchema,
  visit,
} from 'graphql';
import { createResolversMap } from 'type-graphql';
import type { RequestContext } from '../server/context';
import type { GatewayModule } from '../server/gateway-module';
import { MERCHANT_DATA_READERS } from '../security/roles';
import type { NodeTypeName } from './global-id';
import { loadEntity } from './node.resolver';
import { getSchema } from './schema';

/**
 * Entities other subgraphs may extend or reference, keyed by their global id. A reference is resolved
 * through the request's loaders, so a batch of representations costs the statements of one.
 */
export const ENTITIES: readonly NodeTypeName[] = ['Merchant', 'Order', 'Buyer', 'Product', 'AfterSalesCase', 'Appeal'];

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const keyDirective: DirectiveNode = {
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: 'key' },
  arguments: [
    {
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: 'fields' },
      value: { kind: Kind.STRING, value: 'id' },
    },
  ],
};

/** The gateway's schema as a Federation 2 subgraph document: the same types, entities marked with @key. */
function subgraphDocument(schema: GraphQLSchema): DocumentNode {
  const entities = new Set<string>(ENTITIES);
  return visit(parse(`${FEDERATION_LINK}\n\n${printSchema(lexicographicSortSchema(schema))}`), {
    ObjectTypeDefinition: (node) =>
      entities.has(node.name.value) ? { ...node, directives: [...(node.directives ?? []), keyDirective] } : undefined,
  });
}

/**
 * `__resolveReference` for an entity: as `node(id:)` would load it, refusing anonymous callers and
 * roles that read no merchant data, and answering null for an id of another type or of a row the
 * tenant rules hide.
 */
function referenceResolver(typename: NodeTypeName) {
  const readers = new Set<string>(MERCHANT_DATA_READERS);
  return (reference: { id?: unknown }, context: unknown) => {
    const { actor } = context as RequestContext;
    if (!actor.authenticated)
      throw new GraphQLError('sign in first', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    if (!readers.has(actor.role))
      throw new GraphQLError(`the ${actor.role} role may not read ${typename}`, { extensions: { code: 'FORBIDDEN' } });
    return typeof reference.id === 'string' ? loadEntity(context as RequestContext, typename, reference.id) : null;
  };
}

const built = new WeakMap<readonly GatewayModule[], Promise<GraphQLSchema>>();

/**
 * The same schema, resolvers and rules served as an Apollo Federation 2 subgraph (at /subgraph), for
 * composition behind Apollo Router, Apollo Gateway or Hive Gateway.
 */
export function getSubgraphSchema(modules: readonly GatewayModule[]): Promise<GraphQLSchema> {
  const cached = built.get(modules);
  if (cached) return cached;
  const subgraph = getSchema(modules).then((schema) => {
    const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
    for (const typename of ENTITIES) {
      resolvers[typename] = {
        ...(resolvers[typename] as object),
        __resolveReference: referenceResolver(typename),
      } as GraphQLResolverMap<unknown>[string];
    }
    return buildSubgraphSchema({ typeDefs: subgraphDocument(schema), resolvers });
  });
  built.set(modules, subgraph);
  return subgraph;
}

/** The committed subgraph snapshot's text (`schema/subgraph.graphql`). */
export function printSubgraph(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema)}\n`;
}
