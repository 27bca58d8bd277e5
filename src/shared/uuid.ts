const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lowercase canonical uuid, as PostgreSQL prints them: a value that may be bound as `::uuid`. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
