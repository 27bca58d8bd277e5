import {
  getNamedType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/**
 * A selection of every field of a type, down to `depth` levels of objects, with every page limited
 * to `first`. Generated from the schema, so a field added later is probed without editing a test.
 */
export function selectAll(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  depth: number,
  first = 3,
  aliasPrefix = '',
): string {
  const fields = Object.values(type.getFields()).flatMap((field) =>
    selectField(schema, field, depth, first).map((selection) =>
      aliasPrefix ? `${aliasPrefix}${field.name}: ${selection}` : selection,
    ),
  );
  return fields.length ? fields.join(' ') : '__typename';
}

/**
 * A fragment on one type. Fragments on sibling types alias their fields by type (equal names may have
 * different types), which costs aliases, so a lone fragment does without.
 */
const fragmentOn = (schema: GraphQLSchema, type: GraphQLObjectType, depth: number, first = 3, withAliases = true) =>
  `... on ${type.name} { ${selectAll(schema, type, depth, first, withAliases ? `${type.name}_` : '')} }`;

function selectField(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  depth: number,
  first: number,
): string[] {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  if (required.length) return [];
  const args = field.args.some((arg) => arg.name === 'first') ? `(first: ${first})` : '';
  const named = getNamedType(field.type);
  if (isLeafType(named)) return [field.name];
  if (depth === 0) return [];
  if (isObjectType(named)) return [`${field.name}${args} { ${selectAll(schema, named, depth - 1, first)} }`];
  if (isInterfaceType(named)) {
    const implementations = schema.getPossibleTypes(named);
    return [
      `${field.name}${args} { __typename ${implementations.map((t) => fragmentOn(schema, t, depth - 1, first)).join(' ')} }`,
    ];
  }
  return [];
}

/** The same for an interface (e.g. `Node`): a fragment per implementation. */
export function selectAllOf(schema: GraphQLSchema, typeName: string, depth: number): string {
  const type = schema.getType(typeName);
  if (isObjectType(type)) return `__typename ${fragmentOn(schema, type, depth, 3, false)}`;
  if (isInterfaceType(type)) {
    return `__typename ${schema
      .getPossibleTypes(type)
      .map((t) => fragmentOn(schema, t, depth))
      .join(' ')}`;
  }
  throw new Error(`${typeName} is not an object or interface type`);
}
