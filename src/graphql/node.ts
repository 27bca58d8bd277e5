import type { GraphQLInterfaceType, GraphQLSchema } from 'graphql';
import { Field, ID, InterfaceType } from 'type-graphql';
import type { NodeTypeName } from './global-id';

type EntityClass = abstract new (...args: never[]) => object;
const nodeTypeByEntity = new Map<EntityClass, NodeTypeName>();

/** Modules register which entity backs which Node type, so `Node.resolveType` needs no module imports. */
export function registerNodeEntity(entity: EntityClass, type: NodeTypeName): void {
  nodeTypeByEntity.set(entity, type);
}

/** The Node types whose objects are entity instances (what `registerNodeEntity` was told). */
export const entityNodeTypes = (): ReadonlySet<string> => new Set(nodeTypeByEntity.values());

const nodeTypeOf = (value: object) => nodeTypeByEntity.get(value.constructor as EntityClass);

/** type-graphql wraps `resolveType` in an async function; the compiled executor needs the answer at once. */
export function resolveNodeTypeSynchronously(schema: GraphQLSchema): GraphQLSchema {
  (schema.getType('Node') as GraphQLInterfaceType).resolveType = nodeTypeOf;
  return schema;
}

@InterfaceType('Node', {
  description: 'An object with a globally unique, opaque id (Relay).',
  resolveType: nodeTypeOf,
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
