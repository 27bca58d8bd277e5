import {
  defaultFieldResolver,
  getNamedType,
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

/**
 * Authorization below the root fields, deny by default. Roles that read merchant data (merchants,
 * their own rows by tenant rules, and staff) read every field. Any other role (the INGEST service
 * account writes facts but may not read) reaches, through a mutation it may call, only: the payload
 * envelope, the public policy types, and on the entities it writes their plain values (scalars,
 * enums, Money) and the links between them. Everything else — ledger balances, histories, scores,
 * connections, risk, and any field added later — answers FORBIDDEN to it.
 */
export function guardFieldsBelowRoot(schema: GraphQLSchema): GraphQLSchema {
  const readers = new Set<string>(MERCHANT_DATA_READERS);
  const open = publicTypes(schema);
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (
      !isObjectType(type) ||
      roots.has(type) ||
      type.name.startsWith('__') ||
      open.has(type.name) ||
      isEnvelope(type)
    ) {
      continue;
    }
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const plain = isLeafType(named) || open.has(named.name);
      if (WRITTEN_ENTITIES.has(type.name) && (plain || WRITTEN_LINKS.has(`${type.name}.${field.name}`))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: RequestContext, info) => {
        const { actor } = context;
        if (actor.authenticated && readers.has(actor.role)) return resolve(source, args, context, info);
        throw new GraphQLError(
          `the ${actor.authenticated ? actor.role : 'anonymous'} role may not read ${type.name}.${field.name}`,
          {
            extensions: { code: 'FORBIDDEN' },
          },
        );
      };
    }
  }
  return schema;
}
