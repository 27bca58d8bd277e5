import { type GraphQLFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { type AuthChecker, Authorized, Extensions } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { logger } from '../shared/logger';
import type { Role } from './roles';

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
    throw new GraphQLError('sign in first: send "Authorization: Bearer <token>"', {
      extensions: { code: 'UNAUTHENTICATED' },
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
