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

/**
 * Small inputs that passed, by class and value: class-validator's built-in constraints (the only
 * kind here) depend on the value alone, and the same paging or filter arguments come back on every
 * request of a console (`orders(first: 20)` once per merchant of a page), so each is checked once.
 */
const knownValid = new WeakMap<object, Set<string>>();
const MAX_KNOWN_VALID = 1_000;
const MAX_KEYED_LENGTH = 512;

/** The value's JSON when it is small enough to remember, else null (also for what JSON cannot write). */
function smallJson(item: object): string | null {
  try {
    const json = JSON.stringify(item);
    return json.length <= MAX_KEYED_LENGTH ? json : null;
  } catch {
    return null;
  }
}

function validValuesOf(item: object): Set<string> {
  let values = knownValid.get(item.constructor);
  if (!values) knownValid.set(item.constructor, (values = new Set()));
  return values;
}

function remember(item: object, json: string): void {
  const values = validValuesOf(item);
  if (values.size >= MAX_KNOWN_VALID) values.clear();
  values.add(json);
}

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
    const json = smallJson(item);
    if (json !== null && validValuesOf(item).has(json)) continue;
    const errors = await validate(item, OPTIONS);
    if (errors.length) failures.push(...(index === null ? errors : [nest(index, errors)]));
    else if (json !== null) remember(item, json);
  }
  if (failures.length) throw new ArgumentValidationError(argName ? [nest(argName, failures)] : failures);
}
