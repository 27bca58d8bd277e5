import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/user-error';
import { Node, registerNodeEntity } from '../../graphql/node';
import { Warning } from './warnings.entity';
import { WarningKind, WarningStatus } from './warnings.enums';

registerNodeEntity(Warning, 'Warning');

@ObjectType('Warning', { implements: Node, description: 'A warning (预警) the platform raised to a merchant.' })
export class WarningNode extends Node {
  @Field(() => WarningKind) kind!: WarningKind;
  @Field(() => WarningStatus) status!: WarningStatus;
  @Field(() => String, { description: 'What it says, with its numbers.' }) message!: string;
  @Field(() => Int) policyVersion!: number;
  @Field(() => Date) raisedAt!: Date;
  @Field(() => Date, { nullable: true }) acknowledgedAt?: Date | null;
}

export const WarningConnection = ConnectionType('Warning', WarningNode);

@InputType()
export class WarningFilter {
  @Field(() => [WarningKind], { nullable: true }) kind?: WarningKind[] | null;
  @Field(() => [WarningStatus], { nullable: true }) status?: WarningStatus[] | null;
}

@InputType()
export class AcknowledgeWarningInput {
  @Field(() => ID, { description: 'The warning’s id (Warning.id).' }) warningId!: string;
  @Field(() => Boolean, { nullable: true, description: 'On a LOW_PRICE warning: apply the held price.' })
  confirmPrice?: boolean | null;
}

@ObjectType()
export class AcknowledgeWarningPayload {
  @Field(() => WarningNode, { nullable: true }) warning?: Warning | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
