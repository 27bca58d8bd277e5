import {
  type FieldNode,
  getArgumentValues,
  getNamedType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  isObjectType,
  Kind,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { Extensions } from 'type-graphql';
import { declaredRootOf } from './direct-resolvers';

/** The extension that marks a field resolver as needing nothing of its parent but the id. */
const READS_PARENT_ID = 'readsParentIdOnly';

/**
 * Marks a field resolver whose answer depends on its parent's id alone (its `@Root()` is `{ id }`):
 * a root field that knows the id from its arguments may start the field's reads before the parent's
 * own row is read (`readAhead`).
 */
export const ReadsParentIdOnly = () => Extensions({ [READS_PARENT_ID]: true });

/** Per request context: what each field read ahead returned, until the executor asks for it. */
const readsAhead = new WeakMap<object, Map<string, unknown>>();

/** A root field's object's field, by response keys (aliases keep fields with other arguments apart) and id. */
const aheadKey = (rootKey: string | number, fieldKey: string | number, id: string) => `${rootKey}/${fieldKey}/${id}`;

const idOnlyPrototypes = new WeakMap<object, object>();

/**
 * The parent a field read ahead gets: its id alone, as an object of the class its resolver declares
 * for its root, so the resolver is called directly rather than through type-graphql, which would
 * convert it by running the entity's constructor (MikroORM's helpers and defaults, per field and
 * request). The id is a plain data property, shadowing any accessor the class declares for it.
 */
function idOnlyParent(field: object, id: string): { id: string } {
  const declared = declaredRootOf(field);
  if (!declared) return { id };
  let prototype = idOnlyPrototypes.get(declared);
  if (!prototype) {
    prototype = Object.create(declared.prototype as object, {
      id: { value: undefined, writable: true, configurable: true },
    }) as object;
    idOnlyPrototypes.set(declared, prototype);
  }
  const parent = Object.create(prototype) as { id: string };
  parent.id = id;
  return parent;
}

/** The selected fields of `type` in a selection set, by response key, through fragments. */
function fieldsOf(
  type: GraphQLObjectType,
  selections: readonly SelectionSetNode[],
  info: GraphQLResolveInfo,
): Map<string, FieldNode[]> {
  const byKey = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        byKey.set(key, [...(byKey.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || selection.typeCondition.name.value === type.name) visit(selection.selectionSet);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment && fragment.typeCondition.name.value === type.name) visit(fragment.selectionSet);
      }
    }
  };
  selections.forEach(visit);
  return byKey;
}

/**
 * Starts, beside the read of the object a root field returns (of `typeName` when the field returns
 * an interface), the reads of its selected fields that
 * need only its id (`ReadsParentIdOnly`): each such field's resolver is called now with the id alone,
 * so its loads join the same message as the object's own row, and the loaders' caches answer the
 * same calls when the executor reaches the field. Nothing it returns is used: a field of an object
 * that turns out not to exist, or not to be the actor's, is never resolved for real, and every read
 * runs in the actor's tenant anyway. Failures here are left to the real call.
 */
export function readAhead(id: string, context: object, info: GraphQLResolveInfo, typeName?: string): void {
  const type = typeName ? info.schema.getType(typeName) : getNamedType(info.returnType);
  if (!isObjectType(type) || info.path.prev) return;
  let results = readsAhead.get(context);
  if (!results) readsAhead.set(context, (results = new Map()));
  for (const { key, nodes, field, resolve } of fieldsReadAhead(type, info)) {
    try {
      const args = getArgumentValues(field, nodes[0], info.variableValues);
      const childInfo: GraphQLResolveInfo = {
        ...info,
        fieldName: field.name,
        fieldNodes: nodes,
        returnType: field.type,
        parentType: type,
        path: { prev: info.path, key, typename: type.name },
      };
      const result = resolve(idOnlyParent(field, id), args, context, childInfo);
      // Unhandled until the executor takes it, which reports a failure as its own.
      if (result instanceof Promise) result.catch(() => {});
      results.set(aheadKey(info.path.key, key, id), result);
    } catch {
      // The executor calls the field again and reports what it finds.
    }
  }
}

interface FieldReadAhead {
  key: string;
  nodes: FieldNode[];
  field: GraphQLField<unknown, unknown>;
  /** The field's resolver as the built schema has it (`answerReadAhead`'s, which calls the real one). */
  resolve: GraphQLFieldResolver<unknown, unknown>;
}

/** Per root field of a document, per type (of a schema): its fields that read ahead. */
const readAheadPlans = new WeakMap<FieldNode, Map<GraphQLObjectType, FieldReadAhead[]>>();

/** The selected fields of `type` that read ahead, worked out once per document rather than per request. */
function fieldsReadAhead(type: GraphQLObjectType, info: GraphQLResolveInfo): FieldReadAhead[] {
  let byType = readAheadPlans.get(info.fieldNodes[0]);
  if (!byType) readAheadPlans.set(info.fieldNodes[0], (byType = new Map()));
  let plan = byType.get(type);
  if (!plan) {
    const fields = type.getFields();
    const selected = fieldsOf(
      type,
      info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
      info,
    );
    plan = [...selected].flatMap(([key, nodes]) => {
      const field = fields[nodes[0].name.value] as GraphQLField<unknown, unknown> | undefined;
      return field?.resolve && field.extensions?.[READS_PARENT_ID]
        ? [{ key, nodes, field, resolve: field.resolve }]
        : [];
    });
    byType.set(type, plan);
  }
  return plan;
}

/**
 * Makes each `ReadsParentIdOnly` field of a root field's object answer with what `readAhead` started
 * for it, so its resolver (argument conversion, validation, rules) runs once per request, not twice.
 */
export function answerReadAhead(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve || !field.extensions?.[READS_PARENT_ID]) continue;
      field.resolve = (parent, args, context, info) => {
        const root = info.path.prev;
        if (root && !root.prev) {
          const results = readsAhead.get(context as object);
          const key = aheadKey(root.key, info.path.key, (parent as { id: string }).id);
          if (results?.has(key)) {
            const result = results.get(key);
            results.delete(key);
            return result;
          }
        }
        return resolve(parent, args, context, info);
      };
    }
  }
  return schema;
}
