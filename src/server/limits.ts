import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  getNamedType,
  GraphQLError,
  type GraphQLOutputType,
  type GraphQLSchema,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  valueFromASTUntyped,
  visit,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../graphql/connection';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { rejectedDocuments } from '../observability/metrics';

/** The most tokens a document may have; the largest documented operation has a few hundred. */
const MAX_TOKENS = 5000;

/** The most rows-and-fields a single request may ask for; documented queries stay well below. */
export const MAX_COMPLEXITY = 25_000;

/** The most representations one `_entities` call may resolve: a router batches more into several calls. */
export const MAX_REPRESENTATIONS = 100;

/**
 * Pages multiply what is below them: `orders(first: 20) { ... }` (or `last: 20`, or no size: 20)
 * costs 20 times its selection, and so do 20 ids of `nodes` or 20 representations of `_entities`;
 * each item of another list argument (events, orders to ingest) costs one. Unlike graphql-armor's
 * cost limit, this sees sizes and lists passed as variables too.
 */
const pageEstimator: ComplexityEstimator = ({ args, field, childComplexity }) => {
  const items = Object.values(args).reduce<number>((sum, value) => sum + (Array.isArray(value) ? value.length : 0), 0);
  const size = args.first ?? args.last ?? (isConnection(field.type) ? DEFAULT_PAGE_SIZE : undefined);
  if (typeof size === 'number') return 1 + items + size * childComplexity;
  if (Array.isArray(args.ids)) return 1 + args.ids.length * childComplexity;
  if (Array.isArray(args.representations)) return 1 + args.representations.length * childComplexity;
  if (items) return 1 + items + childComplexity;
  return undefined;
};

/** The estimated cost of an operation, as the limit counts it; undefined when its variables do not fit. */
export function complexityOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string,
): number | undefined {
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      operationName,
      estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return undefined; // variables that do not fit the operation: execution refuses them with BAD_USER_INPUT
  }
}

/** The representations the operation's `_entities` calls pass, inline or in variables. */
function representationsIn(document: DocumentNode, variables: Record<string, unknown> = {}): unknown[] {
  const found: unknown[] = [];
  visit(document, {
    Field(node) {
      if (node.name.value !== '_entities') return;
      const argument = node.arguments?.find((arg) => arg.name.value === 'representations')?.value;
      const value = argument ? valueFromASTUntyped(argument, variables) : undefined;
      if (Array.isArray(value)) found.push(...value);
    },
  });
  return found;
}

/** A representation names an entity type of the schema; anything else is the caller's mistake. */
function representationError(schema: GraphQLSchema, representations: unknown[]): GraphQLError | null {
  if (representations.length > MAX_REPRESENTATIONS) {
    return new GraphQLError(`_entities takes at most ${MAX_REPRESENTATIONS} representations per request`, {
      extensions: { code: 'BAD_USER_INPUT', field: ['representations'], http: { status: 400 } },
    });
  }
  const entityUnion = schema.getType('_Entity');
  const entities = new Set(isUnionType(entityUnion) ? entityUnion.getTypes().map((type) => type.name) : []);
  const index = representations.findIndex(
    (representation) =>
      representation === null ||
      typeof representation !== 'object' ||
      Array.isArray(representation) ||
      !entities.has((representation as { __typename?: unknown }).__typename as string),
  );
  if (index < 0) return null;
  return new GraphQLError(`each representation is an object whose __typename is one of ${[...entities].join(', ')}`, {
    extensions: { code: 'BAD_USER_INPUT', field: ['representations', String(index)], http: { status: 400 } },
  });
}

const isConnection = (type: GraphQLOutputType) => getNamedType(type).name.endsWith('Connection');

const hasNul = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.includes('\u0000')
    : Array.isArray(value)
      ? value.some(hasNul)
      : value !== null && typeof value === 'object' && Object.values(value).some(hasNul);

/**
 * PostgreSQL stores no NUL character in text; a string with one is refused as bad input before it
 * reaches a resolver (else the statement fails and the request looks like a server fault).
 */
function nulPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          if (request.query?.includes('\u0000') || request.query?.includes('\\u0000') || hasNul(request.variables)) {
            rejectedDocuments.inc({ reason: 'nul' });
            throw new GraphQLError('strings may not contain the NUL character', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/**
 * The variables that can change an operation's cost: page sizes (Int) and lists, the only values the
 * estimator reads. Others (ids, filters, inputs) leave it as it is.
 */
function costVariablesOf(document: DocumentNode, operationName: string | null | undefined): string[] {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  return (operation?.variableDefinitions ?? [])
    .filter(({ type }) => {
      const inner = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
      return inner.kind === Kind.LIST_TYPE || inner.name.value === 'Int';
    })
    .map(({ variable }) => variable.name.value);
}

interface DocumentCosts {
  /** Whether the document calls `_entities` at all: most never do, and need no walk for representations. */
  callsEntities: boolean;
  costVariables: Map<string, string[]>;
  /** Known costs by operation name and the values of its cost variables. */
  costs: Map<string, number>;
}

/** Distinct variable values remembered per document before its costs are forgotten and recounted. */
const COSTS_PER_DOCUMENT = 256;

/**
 * Apollo hands every request of the same query text the same parsed document, so its cost is worked
 * out once per document and cost-variable values instead of walking the document on every request.
 */
function documentCosts(schema: GraphQLSchema) {
  const known = new WeakMap<DocumentNode, DocumentCosts>();
  return (document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string | null) => {
    let entry = known.get(document);
    if (!entry) {
      let callsEntities = false;
      visit(document, { Field: (node) => void (node.name.value === '_entities' && (callsEntities = true)) });
      entry = { callsEntities, costVariables: new Map(), costs: new Map() };
      known.set(document, entry);
    }
    const name = operationName ?? '';
    let names = entry.costVariables.get(name);
    if (!names) entry.costVariables.set(name, (names = costVariablesOf(document, operationName)));
    const key = `${name}\u0000${JSON.stringify(names.map((variable) => variables[variable]))}`;
    const cached = entry.costs.get(key);
    if (cached !== undefined) return { callsEntities: entry.callsEntities, complexity: cached };
    const complexity = complexityOf(schema, document, variables, operationName ?? undefined);
    // Never remembered when unknown (variables that do not fit): the same sizes with fitting ones are counted.
    if (complexity !== undefined) {
      if (entry.costs.size >= COSTS_PER_DOCUMENT) entry.costs.clear();
      entry.costs.set(key, complexity);
    }
    return { callsEntities: entry.callsEntities, complexity };
  };
}

function complexityPlugin(): ApolloServerPlugin {
  let costs: ReturnType<typeof documentCosts> | undefined;
  let costsOf: GraphQLSchema | undefined;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          if (costsOf !== schema) [costs, costsOf] = [documentCosts(schema), schema];
          const { callsEntities, complexity } = costs!(document, request.variables, request.operationName);
          const refused = callsEntities && representationError(schema, representationsIn(document, request.variables));
          if (refused) {
            rejectedDocuments.inc({ reason: 'representations' });
            throw refused;
          }
          if (complexity !== undefined && complexity > MAX_COMPLEXITY) {
            rejectedDocuments.inc({ reason: 'complexity' });
            throw new GraphQLError('Query is too complex: ask for smaller pages or fewer nested lists', {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/**
 * Limits on the shape and size of a document, checked while parsing, validating and planning, so
 * an abusive document is refused before any resolver (and any SQL) runs. The values leave room
 * above the deepest and widest documented operation; errors do not state the limits.
 */
export type QueryLimits = ReturnType<typeof queryLimits>;

export function queryLimits(options: { isProduction: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: 12, exposeLimits: false, onReject: [() => rejectedDocuments.inc({ reason: 'depth' })] },
    maxAliases: { n: 15, exposeLimits: false, onReject: [() => rejectedDocuments.inc({ reason: 'aliases' })] },
    maxDirectives: { n: 20, exposeLimits: false, onReject: [() => rejectedDocuments.inc({ reason: 'directives' })] },
    // Counted by graphql-js's own parser instead (parseOptions below): armor's check throws outside
    // parsing, which Apollo answers as a server error (HTTP 500).
    maxTokens: { enabled: false },
    // Replaced by the complexity plugin, which also counts `first` given as a variable.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.isProduction },
  }).protect();
  return {
    validationRules: armor.validationRules,
    plugins: [...armor.plugins, nulPlugin(), complexityPlugin()],
    parseOptions: { maxTokens: MAX_TOKENS },
  };
}
