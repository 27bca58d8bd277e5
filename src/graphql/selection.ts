import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

const onlyIdByField = new WeakMap<FieldNode, boolean>();

function selectsOnlyId(selectionSet: SelectionSetNode | undefined): boolean {
  if (!selectionSet) return false;
  return selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      !selection.directives?.length &&
      (selection.name.value === 'id' || selection.name.value === '__typename'),
  );
}

/**
 * Whether the operation asks nothing of this field's object but its `id` (and `__typename`): then the
 * key the parent row already holds is the whole answer, and the object need not be read. Fragments and
 * directives count as asking for more. Worked out once per field of a parsed document (Apollo reuses
 * the document for the same query text).
 */
export function asksOnlyId(info: Pick<GraphQLResolveInfo, 'fieldNodes'>): boolean {
  const [first] = info.fieldNodes;
  let known = onlyIdByField.get(first);
  if (known === undefined) {
    known = info.fieldNodes.every((node) => selectsOnlyId(node.selectionSet));
    onlyIdByField.set(first, known);
  }
  return known;
}

const fieldsByNode = new WeakMap<FieldNode, Map<string, ReadonlySet<string> | null>>();

function fieldsUnder(selectionSet: SelectionSetNode | undefined, path: readonly string[]): Set<string> | null {
  if (!selectionSet) return new Set();
  const fields = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    const name = selection.name.value;
    if (path.length === 0) {
      fields.add(name);
    } else if (name === path[0]) {
      const inner = fieldsUnder(selection.selectionSet, path.slice(1));
      if (!inner) return null;
      for (const field of inner) fields.add(field);
    }
  }
  return fields;
}

/**
 * The fields an operation asks of the objects this field returns — of a connection's nodes with
 * `['edges', 'node']` — so a read can fetch only the columns they need. Null when it cannot tell
 * (a fragment or a directive in the way): then everything is read. Worked out once per field of a
 * parsed document.
 */
export function selectedFields(
  info: Pick<GraphQLResolveInfo, 'fieldNodes'>,
  path: readonly string[] = [],
): ReadonlySet<string> | null {
  const [first] = info.fieldNodes;
  const key = path.join('.');
  let byPath = fieldsByNode.get(first);
  if (!byPath) fieldsByNode.set(first, (byPath = new Map()));
  if (byPath.has(key)) return byPath.get(key)!;
  let fields: Set<string> | null = new Set();
  for (const node of info.fieldNodes) {
    const own = node.directives?.length ? null : fieldsUnder(node.selectionSet, path);
    if (!own) {
      fields = null;
      break;
    }
    for (const field of own) fields.add(field);
  }
  byPath.set(key, fields);
  return fields;
}

/** Whether a connection is asked for its `totalCount` alone: then no page of rows is read. */
export function asksOnlyTotal(info: Pick<GraphQLResolveInfo, 'fieldNodes'>): boolean {
  const fields = selectedFields(info);
  return Boolean(fields?.has('totalCount')) && [...fields!].every((f) => f === 'totalCount' || f === '__typename');
}

/** A connection's node fields. */
export const nodeFields = (info: Pick<GraphQLResolveInfo, 'fieldNodes'>) => selectedFields(info, ['edges', 'node']);

/** What an operation asks of a connection. */
export interface ConnectionAsk {
  /** The nodes' fields (null: all). */
  nodes: ReadonlySet<string> | null;
  /** `totalCount` is read: the count is read with the page, in its message. */
  total: boolean;
  /** `totalCount` alone: no page of rows is read. */
  totalOnly: boolean;
}

/** Every column, and the count only if it is read after all (a caller outside GraphQL). */
export const ASKS_ALL: ConnectionAsk = { nodes: null, total: false, totalOnly: false };

const asksByField = new WeakMap<FieldNode, ConnectionAsk>();

/**
 * `total` is true only when the selection plainly names `totalCount`; behind a fragment or a
 * directive the count stays lazy, read when (and if) the executor reaches it. Worked out once per
 * field of a parsed document (a child connection's resolver runs once per parent).
 */
export function connectionAsk(info: Pick<GraphQLResolveInfo, 'fieldNodes'>): ConnectionAsk {
  const [first] = info.fieldNodes;
  let asked = asksByField.get(first);
  if (!asked) {
    asked = {
      nodes: nodeFields(info),
      total: selectedFields(info)?.has('totalCount') ?? false,
      totalOnly: asksOnlyTotal(info),
    };
    asksByField.set(first, asked);
  }
  return asked;
}

const fieldsByType = new WeakMap<FieldNode, Map<string, ReadonlySet<string> | null>>();

/**
 * The fields an operation asks of an object of the type `typeName` that an interface field (`node`)
 * returns: those asked of the interface itself and those in fragments on the type or the interface.
 * Null (everything is read) when a directive is in the way. Worked out once per field and type.
 */
export function selectedFieldsOn(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  typeName: string,
  interfaceName: string,
): ReadonlySet<string> | null {
  const [first] = info.fieldNodes;
  let byType = fieldsByType.get(first);
  if (!byType) fieldsByType.set(first, (byType = new Map()));
  if (byType.has(typeName)) return byType.get(typeName)!;
  const fields = new Set<string>();
  const applies = (condition: string | undefined) =>
    condition === undefined || condition === typeName || condition === interfaceName;
  const visit = (set: SelectionSetNode | undefined): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) fields.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value) && !visit(selection.selectionSet)) return false;
      } else {
        const fragment = info.fragments[selection.name.value];
        if (!fragment || fragment.directives?.length) return false;
        if (applies(fragment.typeCondition.name.value) && !visit(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  const known = info.fieldNodes.every((node) => visit(node.selectionSet)) ? fields : null;
  byType.set(typeName, known);
  return known;
}
