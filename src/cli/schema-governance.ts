import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { z } from 'zod';

/** A breaking change someone reviewed and accepted, with why; matched by GraphQL Inspector's type and path. */
const approvalSchema = z.object({
  type: z.string().min(1),
  path: z.string().min(1),
  reason: z.string().trim().min(10, 'say why the break is acceptable (at least 10 characters)'),
  approvedBy: z.string().trim().min(1),
});

export const approvalsFileSchema = z.object({ approved: z.array(approvalSchema) });

export type Approval = z.infer<typeof approvalSchema>;

export interface SchemaCheck {
  breaking: { change: Change; approval: Approval | null; problem: string | null }[];
  dangerous: Change[];
  safe: Change[];
  /** True when every breaking change is approved and no removal skipped deprecation. */
  passes: boolean;
}

const removalDeprecated = (change: Change): boolean | null => {
  if (change.type === 'FIELD_REMOVED') return Boolean(change.meta.isRemovedFieldDeprecated);
  if (change.type === 'ENUM_VALUE_REMOVED') return Boolean(change.meta.isEnumValueDeprecated);
  return null; // not a removal of something that could have been deprecated
};

/**
 * Compares two versions of the schema: a breaking change passes only when `approvals` records it
 * with a reason, and a field or enum value is removed only after a release that deprecated it.
 * Dangerous changes (a new enum value, a changed default) are reported and pass.
 */
export async function checkSchemaChange(baseSdl: string, nextSdl: string, approvals: Approval[]): Promise<SchemaCheck> {
  const changes = await diff(buildSchema(baseSdl), buildSchema(nextSdl));
  const of = (level: CriticalityLevel) => changes.filter((change) => change.criticality.level === level);
  const breaking = of(CriticalityLevel.Breaking).map((change) => {
    const approval = approvals.find((a) => a.type === change.type && a.path === change.path) ?? null;
    const problem =
      removalDeprecated(change) === false
        ? `${change.path} was never deprecated: mark it @deprecated(reason: "...") in a release first, remove it later`
        : approval
          ? null
          : `not approved: add {"type": "${change.type}", "path": "${change.path}", "reason": "...", "approvedBy": "..."} to schema/approved-changes.json`;
    return { change, approval, problem };
  });
  return {
    breaking,
    dangerous: of(CriticalityLevel.Dangerous),
    safe: of(CriticalityLevel.NonBreaking),
    passes: breaking.every((b) => !b.problem),
  };
}
