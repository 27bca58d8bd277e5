import { Field, ID, InterfaceType } from 'type-graphql';
import type { NodeTypeName } from './global-id';

type EntityClass = abstract new (...args: never[]) => object;
const nodeTypeByEntity = new Map<EntityClass, NodeTypeName>();

/** Modules register which entity backs which Node type, so `Node.resolveType` needs no module imports. */
export function registerNodeEntity(entity: EntityClass, type: NodeTypeName): void {
  nodeTypeByEntity.set(entity, type);
}

@InterfaceType('Node', {
  description: 'An object with a globally unique, opaque id (Relay).',
  resolveType: (value: object) => nodeTypeByEntity.get(value.constructor as EntityClass),
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
