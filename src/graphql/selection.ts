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
