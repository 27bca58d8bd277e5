import { validate, ValidationError, type ValidatorOptions } from 'class-validator';
import { getNamedType } from 'graphql';
import { ArgumentValidationError, type ResolverData } from 'type-graphql';

const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Only instances of input classes carry constraints. A JSON scalar's value is a plain object, and
 * one parsed from an inline literal has no prototype at all, which class-validator cannot read.
 */
const isInputInstance = (value: unknown): value is object => {
  if (!isObject(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype !== null && prototype !== Object.prototype;
};

function nest(property: string, children: ValidationError[]): ValidationError {
  return Object.assign(new ValidationError(), { property, children, constraints: {} });
}

/**
 * class-validator on every input object, like type-graphql's default, but the report is rooted at the
 * argument's name and list index, so a client reads `input.3.externalNumber`, not `externalNumber`.
 */
export async function validateArgument(
  argValue: unknown,
  argType: unknown,
  { info }: ResolverData<object>,
): Promise<void> {
  if (!isObject(argValue)) return;
  // Input classes carry their GraphQL type's name; an @Args class matches no single argument.
  const typeName = typeof argType === 'function' ? argType.name : undefined;
  const argName = info.parentType
    .getFields()
    [info.fieldName].args.find((arg) => getNamedType(arg.type).name === typeName)?.name;
  const items = Array.isArray(argValue)
    ? argValue.map((item, i) => [String(i), item] as const)
    : [[null, argValue] as const];
  const failures: ValidationError[] = [];
  for (const [index, item] of items) {
    if (!isInputInstance(item)) continue;
    const errors = await validate(item, OPTIONS);
    if (errors.length) failures.push(...(index === null ? errors : [nest(index, errors)]));
  }
  if (failures.length) throw new ArgumentValidationError(argName ? [nest(argName, failures)] : failures);
}
