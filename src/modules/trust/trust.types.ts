import { IsOptional, Length, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { ScoreEvent } from './trust.entity';
import { RiskLevel, ScoreFactor, TrustBand } from './trust.enums';

registerNodeEntity(ScoreEvent, 'ScoreEvent');

@ObjectType('ScoreEvent', {
  implements: Node,
  description: 'A fact that moved scores, and by how much. Voids are events too.',
})
export class ScoreEventNode extends Node {
  @Field(() => ScoreFactor) factor!: ScoreFactor;
  @Field(() => Date, { description: 'When it happened.' }) occurredAt!: Date;
  @Field(() => Date, { description: 'When it was recorded.' }) createdAt!: Date;
  @Field(() => String) reason!: string;
  @Field(() => String) actor!: string;
  @Field(() => String, { nullable: true, description: 'After-sales case that caused it.' }) caseId?: string | null;
  @Field(() => String, { nullable: true, description: 'Appeal that caused it.' }) appealId?: string | null;
}

export const ScoreEventConnection = ConnectionType('ScoreEvent', ScoreEventNode);

@ObjectType('TrustFactor', {
  description: 'One input of the scores over the window: how often, its weight now, and what it contributed.',
})
export class TrustFactorView {
  @Field(() => ScoreFactor) name!: ScoreFactor;
  @Field(() => Int, { description: 'Events of this factor in the window (voided ones excluded).' }) value!: number;
  @Field(() => String, { description: 'Experience points per event under the policy in force.' }) weight!: string;
  @Field(() => String, { description: 'Experience points it added or took away in the window.' }) contribution!: string;
  @Field(() => String, { description: 'Integrity points it added or took away in the window.' })
  integrityContribution!: string;
}

@ObjectType('MerchantTrust')
export class MerchantTrustView {
  @Field(() => String, {
    nullable: true,
    description: 'Experience score 0-5, one decimal, half up (e.g. "4.8"); null for a NEW merchant.',
  })
  experienceScore!: string | null;
  @Field(() => String, { nullable: true, description: 'The same at full stored precision (e.g. "4.7950").' })
  experienceScoreExact!: string | null;
  @Field(() => String, { description: 'Integrity score 0-100.' }) integrityScore!: string;
  @Field(() => TrustBand) band!: TrustBand;
  @Field(() => Boolean, { description: '高回头率: enough buyers in the window came back.' }) highRepurchase!: boolean;
  @Field(() => Date, {
    nullable: true,
    description: 'When the stored scores were last computed; null before any event.',
  })
  computedAt!: Date | null;
  /** For the field resolvers below. */
  merchantId!: string;
}

@ObjectType('BuyerRisk')
export class BuyerRiskView {
  @Field(() => String, { description: '0-100.' }) score!: string;
  @Field(() => RiskLevel) level!: RiskLevel;
  @Field(() => [String]) reasons!: string[];
}

@InputType()
export class ScoreEventInput {
  @Field(() => ScoreFactor) factor!: ScoreFactor;
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Moves the product experience score too.' }) productId?:
    string | null;
  @Field(() => ID, { nullable: true, description: 'For buyer facts (refund-only requests, rejected claims).' })
  buyerId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The order it is about.' }) orderId?: string | null;
  @Field(() => ID, { nullable: true }) caseId?: string | null;
  @Field(() => ID, { nullable: true }) appealId?: string | null;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 2000) reason?: string | null;
}

@ObjectType()
export class RecordScoreEventsPayload {
  @Field(() => [ScoreEventNode], { nullable: true }) events?: ScoreEvent[] | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class AdjustMerchantScoreInput {
  @Field(() => ID) merchantId!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Signed decimal experience points, e.g. "-0.2"; bounded by the policy.',
  })
  experienceDelta?: string | null;
  @Field(() => String, { nullable: true, description: 'Signed decimal integrity points, e.g. "5".' }) integrityDelta?:
    string | null;
  @Field(() => String) @Length(1, 2000) reason!: string;
}

@InputType()
export class VoidScoreEventInput {
  @Field(() => ID) eventId!: string;
  @Field(() => String) @Length(1, 2000) reason!: string;
}

@ObjectType()
export class ScoreEventPayload {
  @Field(() => ScoreEventNode, { nullable: true }) event?: ScoreEvent | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class RecomputeScoresPayload {
  @Field(() => Int, { nullable: true }) merchants?: number | null;
  @Field(() => Int, { nullable: true }) products?: number | null;
  @Field(() => Int, { nullable: true }) buyers?: number | null;
  @Field(() => Int, { nullable: true, description: 'Merchants whose stored scores differed from the replay.' })
  changed?: number | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class HypotheticalEventInput {
  @Field(() => ScoreFactor) factor!: ScoreFactor;
  @Field(() => Int, { nullable: true, defaultValue: 1 }) @IsOptional() @Min(1) @Max(1000) count?: number | null;
}

@ObjectType('ScoreSnapshot')
export class ScoreSnapshotView {
  @Field(() => String, { nullable: true, description: 'Null for a NEW merchant.' }) experienceScore!: string | null;
  @Field(() => String, { nullable: true }) experienceScoreExact!: string | null;
  @Field(() => String) integrityScore!: string;
  @Field(() => TrustBand) band!: TrustBand;
}

@ObjectType('ScoreSimulation')
export class ScoreSimulationView {
  @Field(() => ScoreSnapshotView) current!: ScoreSnapshotView;
  @Field(() => ScoreSnapshotView) simulated!: ScoreSnapshotView;
  @Field(() => Int) policyVersion!: number;
}

@ObjectType()
export class SimulateMerchantScorePayload {
  @Field(() => ScoreSimulationView, { nullable: true }) simulation?: ScoreSimulationView | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
