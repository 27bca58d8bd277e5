import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  astFromValue,
  type DocumentNode,
  type ExecutionResult,
  getNamedType,
  getVariableValues,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  printSchema,
  typeFromAST,
  valueFromASTUntyped,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Json = unknown;

interface Compiled {
  query: CompiledQuery | ExecutionResult;
  fillDefaults: (variables: Record<string, Json>) => Record<string, Json>;
}

/** A second schema the executor runs for the requests it applies to (`getReaderSchema`). */
export interface AlternatePlan {
  schema: GraphQLSchema;
  appliesTo: (context: BaseContext) => boolean;
}

/**
 * Apollo Server runs parsing, validation, the document limits and every plugin as usual; only the
 * execution is replaced: each operation is compiled once by graphql-jit into JavaScript that walks its
 * selection without graphql-js's per-field interpretation, and reused for every request of the same
 * document. Apollo keeps one parsed DocumentNode per query text, so the cache is keyed on it and goes
 * when Apollo's document cache lets the document go. With `alternate`, an operation is compiled
 * against that schema (same text, other resolvers) for the requests it applies to, decided once per
 * request.
 */
export function compiledExecutor(schema: GraphQLSchema, alternate?: AlternatePlan): Gateway {
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();
  const compiledFor = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | null,
    context: BaseContext,
  ) => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const plan = alternate?.appliesTo(context) ? alternate.schema : schema;
    const key = `${plan === schema ? '' : 'alternate:'}${operationName ?? ''}`;
    let entry = byOperation.get(key);
    if (!entry) {
      entry = {
        query: compileQuery(plan, document, operationName ?? undefined),
        fillDefaults: defaultsFiller(schema, operation),
      };
      byOperation.set(key, entry);
    }
    return entry;
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return {
        async executor({ document, operation, operationName, request, context }) {
          const { query, fillDefaults } = compiledFor(document, operation, operationName, context);
          if (!isCompiledQuery(query)) return query;
          const variables = request.variables ?? {};
          // graphql-js checks the variables first, so a bad one is reported exactly as without the
          // compiler (Apollo turns these errors into BAD_USER_INPUT naming the variable and path).
          const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables, {
            maxErrors: 50,
          });
          if (errors) return { errors };
          const result = await query.query(undefined, context, fillDefaults(variables));
          return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
        },
      };
    },
    async stop() {},
  };
}

/**
 * graphql-jit leaves a missing input field with a default missing when its type is non-null
 * (`promoted: Boolean! = false`) and then reports it as not provided. The defaults are put into the
 * variables first, in the form a client would have sent them, so the compiled coercion sees them.
 */
function defaultsFiller(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  const fillers = (operation.variableDefinitions ?? []).flatMap((definition) => {
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    return type && hasDefaultsWithin(type, new Set()) ? [{ name: definition.variable.name.value, type }] : [];
  });
  if (!fillers.length) return (variables: Record<string, Json>) => variables;
  return (variables: Record<string, Json>) => {
    const filled = { ...variables };
    for (const { name, type } of fillers) if (name in filled) filled[name] = withDefaults(filled[name], type);
    return filled;
  };
}

function hasDefaultsWithin(type: GraphQLInputType, seen: Set<GraphQLInputType>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named)) return false;
  seen.add(named);
  return Object.values(named.getFields()).some(
    (field) => field.defaultValue !== undefined || hasDefaultsWithin(field.type, seen),
  );
}

function withDefaults(value: Json, type: GraphQLInputType): Json {
  if (value === null || value === undefined) return value;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    return Array.isArray(value)
      ? value.map((item) => withDefaults(item, inner.ofType))
      : withDefaults(value, inner.ofType);
  }
  if (!isInputObjectType(inner) || typeof value !== 'object' || Array.isArray(value)) return value;
  const source = value as Record<string, Json>;
  const result: Record<string, Json> = { ...source };
  for (const field of Object.values(inner.getFields())) {
    if (!(field.name in source)) {
      if (field.defaultValue === undefined) continue;
      const literal = astFromValue(field.defaultValue, field.type);
      if (literal) result[field.name] = valueFromASTUntyped(literal);
    } else {
      result[field.name] = withDefaults(source[field.name], field.type);
    }
  }
  return result;
}

/**
 * graphql-jit's errors carry read-only messages; plugins that reword errors (graphql-armor's
 * suggestion masking) need graphql-js's own class, as the default executor gives them.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const copy = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
  Object.assign(copy, { locations: error.locations });
  return copy;
}
