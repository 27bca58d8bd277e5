import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type Resolver = GraphQLFieldResolver<unknown, unknown>;

/** The class each directly called field resolver declares for its `@Root()`. */
const rootClasses = new WeakMap<object, new () => unknown>();

/** The class `field`'s resolver declares for its parent, when it is called directly. */
export const declaredRootOf = (field: object): (new () => unknown) | undefined => rootClasses.get(field);
type ParamKind = 'root' | 'context' | 'info';

/**
 * type-graphql wraps every field in a resolver of its own: a plain property read goes through its
 * middleware chain, and a `@FieldResolver` method through a container lookup, a parameter list built
 * and sorted per call, and the chain again. With no middleware and no `@Authorized` rule on a field
 * (the only rules here are `@Allow` on root fields, and the field guard added after this), that
 * wrapping decides nothing. This pass, run on the built schema before the guards:
 * - leaves plain properties without a resolver, so the executor reads them inline;
 * - calls a field resolver method whose parameters are only `@Root`, `@Ctx` and `@Info` directly,
 *   falling back to type-graphql's resolver for a root that is not of the declared class (which
 *   type-graphql would convert).
 * Fields with arguments, validation, rules or middleware keep type-graphql's resolver.
 */
export function resolveDirectly(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const typeNames = new Map<unknown, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  const guarded = (meta: { roles?: unknown[]; middlewares?: unknown[] }) =>
    meta.roles !== undefined || Boolean(meta.middlewares?.length);
  if (storage.fields.some(guarded) || storage.fieldResolvers.some(guarded)) {
    // A rule or middleware below the root: keep type-graphql's wrapping everywhere rather than guess.
    return schema;
  }
  const instances = new Map<unknown, Record<string, unknown>>();
  for (const meta of storage.fieldResolvers) {
    if (meta.kind !== 'external' || !meta.getObjectType) continue;
    const typeName = typeNames.get(meta.getObjectType());
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[meta.schemaName] : undefined;
    if (!field?.resolve) continue;
    const params = [...(meta.params ?? [])].sort((a, b) => a.index - b.index);
    const simple = params.every(
      (p) =>
        (p.kind === 'root' || p.kind === 'context' || p.kind === 'info') && !('propertyName' in p && p.propertyName),
    );
    if (!simple) continue;
    const target = meta.target as new () => Record<string, unknown>;
    let instance = instances.get(target);
    if (!instance) instances.set(target, (instance = new target()));
    const method = instance[meta.methodName] as (...args: unknown[]) => unknown;
    const rootParam = params.find((p) => p.kind === 'root');
    const rootType = rootParam && 'getType' in rootParam ? (rootParam.getType?.() as unknown) : undefined;
    const rootClass =
      typeof rootType === 'function' && rootType !== Object ? (rootType as new () => unknown) : undefined;
    if (rootClass) rootClasses.set(field, rootClass);
    field.resolve = directCall(
      method.bind(instance),
      params.map((p) => p.kind as ParamKind),
      rootClass,
      field.resolve,
    );
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve && isPropertyRead(field.resolve)) field.resolve = undefined;
    }
  }
  return schema;
}

/** type-graphql's resolver of a plain `@Field` property: `root[name]` through an empty middleware chain. */
const isPropertyRead = (resolve: Resolver) => /root\[fieldMetadata\.name\]/.test(resolve.toString());

function directCall(
  method: (...args: unknown[]) => unknown,
  kinds: ParamKind[],
  rootType: (new () => unknown) | undefined,
  fallback: Resolver,
): Resolver {
  const signature = kinds.join(',');
  const call: Resolver =
    signature === 'root'
      ? (root) => method(root)
      : signature === 'root,context'
        ? (root, _args, context) => method(root, context)
        : signature === 'root,context,info'
          ? (root, _args, context, info) => method(root, context, info)
          : (root, _args, context, info) =>
              method(...kinds.map((kind) => (kind === 'root' ? root : kind === 'context' ? context : info)));
  if (!rootType) return call;
  return (root, args, context, info) =>
    root instanceof rootType ? call(root, args, context, info) : fallback(root, args, context, info);
}
