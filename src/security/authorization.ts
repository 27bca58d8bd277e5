import {
  defaultFieldResolver,
  getNamedType,
  type GraphQLField,
  type GraphQLFieldResolver,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isLeafType,
  isObjectType,
} from 'graphql';
import { type AuthChecker, Authorized, Extensions } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { logger } from '../shared/logger';
import { MERCHANT_DATA_READERS, type Role } from './roles';

/** Marks "any signed-in actor" in a field's `allow` extension. */
export const ANY_ACTOR = 'ANY_ACTOR';

/**
 * The authorization rule of a field: the roles that may call it (none listed: any signed-in actor).
 * Every root field must carry one; the rule is also readable in the schema's field extensions, which
 * is how the deny-by-default guard and its test find fields without one.
 */
export function Allow(...roles: Role[]): MethodDecorator & PropertyDecorator {
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    Authorized(...roles)(target, key, descriptor as never);
    Extensions({ allow: roles.length ? roles : [ANY_ACTOR] })(target, key, descriptor as never);
  };
}

export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  const { actor } = context;
  if (!actor.authenticated) {
    // 401, like a bad token: the answer to a request without credentials does not depend on the header's presence.
    throw new GraphQLError('sign in first: send "Authorization: Bearer <token>"', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  if (roles.length === 0 || roles.includes(actor.role)) return true;
  throw new GraphQLError(`the ${actor.role} role may not do this`, { extensions: { code: 'FORBIDDEN' } });
};

export function rootFieldsWithoutRule(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
    type
      ? Object.values(type.getFields())
          .filter((field) => !field.extensions?.allow)
          .map((field) => `${type.name}.${field.name}`)
      : [],
  );
}

/** Deny by default: a root field without an `@Allow` rule answers FORBIDDEN to everyone. */
export function denyRootFieldsWithoutRule(schema: GraphQLSchema): GraphQLSchema {
  const deny: GraphQLFieldResolver<unknown, unknown> = () => {
    throw new GraphQLError('this field has no authorization rule', { extensions: { code: 'FORBIDDEN' } });
  };
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.extensions?.allow) continue;
      logger.warn({ field: `${type!.name}.${field.name}` }, 'root field without an authorization rule is denied');
      field.resolve = deny;
    }
  }
  return schema;
}

/** Mutation envelopes: a caller that may run the mutation may read what it answers with. */
const isEnvelope = (type: GraphQLObjectType) =>
  type.name.endsWith('Payload') || ['IngestOrderResult', 'OpenCaseResult', 'UserError', 'PageInfo'].includes(type.name);

/** The entities the platform's service account writes: it may read back their plain values. */
const WRITTEN_ENTITIES = new Set([
  'Merchant',
  'Buyer',
  'Product',
  'Order',
  'OrderLine',
  'ScoreEvent',
  'AfterSalesCase',
  'CaseEvidence',
  'CaseMessage',
  // What the platform tells the buyer it relays: the intervention decision and its rules.
  'InterventionDecision',
  'AppliedRule',
]);

/** Links between written entities that lead to nothing but more of the same plain values. */
const WRITTEN_LINKS = new Set([
  'Order.merchant',
  'Order.buyer',
  'Order.lines',
  'OrderLine.product',
  'Product.merchant',
  'ScoreEvent.merchant',
  'ScoreEvent.product',
  'ScoreEvent.order',
  'ScoreEvent.voids',
  'ScoreEvent.voidedBy',
  'AfterSalesCase.order',
  'AfterSalesCase.merchant',
  'AfterSalesCase.buyer',
  'AfterSalesCase.product',
  'AfterSalesCase.evidence',
  'AfterSalesCase.messages',
  'AfterSalesCase.decision',
  'InterventionDecision.rulesApplied',
]);

/** Types everyone signed in may read: the policy (public rules of the programmes) and money values. */
function publicTypes(schema: GraphQLSchema): Set<string> {
  const open = new Set<string>(['Money']);
  const visit = (type: GraphQLNamedType) => {
    if (!isObjectType(type) || open.has(type.name)) return;
    open.add(type.name);
    for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
  };
  visit(schema.getType('Policy')!);
  return open;
}

/** Whether the actor reads every field below the root (merchants, by tenant rules, and staff). */
export const readsEveryField = (actor: RequestContext['actor']): boolean =>
  actor.authenticated && READERS.has(actor.role);
const READERS = new Set<Role>(MERCHANT_DATA_READERS);

const PLAIN_VALUE = 'plainValue';

/**
 * A field whose value is always a plain value of its parent, never a promise or a function (a page's
 * edges and info, an edge's node and cursor): for readers it is read in place, without a resolver.
 */
export const PlainValue = () => Extensions({ [PLAIN_VALUE]: true });

/** The fields below the root that only readers may read: the rule below. */
function fieldsForReadersOnly(
  schema: GraphQLSchema,
): { type: GraphQLObjectType; field: GraphQLField<unknown, RequestContext> }[] {
  const open = publicTypes(schema);
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  return Object.values(schema.getTypeMap()).flatMap((type) => {
    if (!isObjectType(type) || roots.has(type) || type.name.startsWith('__') || open.has(type.name) || isEnvelope(type))
      return [];
    return Object.values(type.getFields())
      .filter((field) => {
        const named = getNamedType(field.type);
        const plain = isLeafType(named) || open.has(named.name);
        return !(WRITTEN_ENTITIES.has(type.name) && (plain || WRITTEN_LINKS.has(`${type.name}.${field.name}`)));
      })
      .map((field) => ({ type, field: field as GraphQLField<unknown, RequestContext> }));
  });
}

/**
 * Authorization below the root fields, deny by default. Roles that read merchant data (merchants,
 * their own rows by tenant rules, and staff) read every field. Any other role (the INGEST service
 * account writes facts but may not read) reaches, through a mutation it may call, only: the payload
 * envelope, the public policy types, and on the entities it writes their plain values (scalars,
 * enums, Money) and the links between them. Everything else — ledger balances, histories, scores,
 * connections, risk, and any field added later — answers FORBIDDEN to it.
 */
export function guardFieldsBelowRoot(schema: GraphQLSchema): GraphQLSchema {
  for (const { type, field } of fieldsForReadersOnly(schema)) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = roleGuard((source, args, context: RequestContext, info) => {
      const { actor } = context;
      if (readsEveryField(actor)) return resolve(source, args, context, info);
      throw new GraphQLError(
        `the ${actor.authenticated ? actor.role : 'anonymous'} role may not read ${type.name}.${field.name}`,
        {
          extensions: { code: 'FORBIDDEN' },
        },
      );
    });
  }
  return schema;
}

const roleGuards = new WeakSet<object>();
const roleGuard = (resolve: GraphQLFieldResolver<unknown, RequestContext>) => (roleGuards.add(resolve), resolve);

/** Whether a field's resolver is the per-object role check of `guardFieldsBelowRoot`. */
export const isRoleGuard = (resolve: unknown): boolean => typeof resolve === 'function' && roleGuards.has(resolve);

/**
 * The same rule decided once per operation instead of once per object: the schema the compiled
 * executor runs for an actor that `readsEveryField`, whose fields below the root keep their own
 * resolvers and nothing else. A field without one is read in place when its value is plain — a
 * scalar of a type whose objects are entity instances (`entityTypes`), or a field marked
 * `PlainValue` — and through graphql-js's default resolver otherwise (a getter may answer a
 * promise, as `totalCount` does).
 */
export function readerPlan(schema: GraphQLSchema, entityTypes: ReadonlySet<string>): GraphQLSchema {
  for (const { type, field } of fieldsForReadersOnly(schema)) {
    if (field.resolve) continue;
    const plain =
      field.extensions?.[PLAIN_VALUE] === true || (entityTypes.has(type.name) && isLeafType(getNamedType(field.type)));
    if (!plain) field.resolve = defaultFieldResolver;
  }
  return schema;
}
