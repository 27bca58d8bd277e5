import { ReferenceKind } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import pg from 'pg';
import { countRead, recordMessage } from './query-counter';
import { rideInTransaction } from './riders';
import type { TenantScope } from './tenant-scope';
import { filledIn, forgetPrepared, inMessage, literal, type ReadStatement } from './read-statements';

/** The non-owner role the application's queries run as, so that row-level security applies. */
export const APP_ROLE = 'weiquan_app';

export type Row = Record<string, unknown>;

export { canReachMerchant, type TenantScope } from './tenant-scope';

interface PendingRead {
  statement: ReadStatement;
  resolve: (rows: Row[]) => void;
  reject: (error: unknown) => void;
}

/** The statement that enters a tenant for the rest of a transaction (or of an implicit one). */
export function settingsOf(scope: TenantScope): string {
  return (
    `select set_config('role', ${literal(APP_ROLE)}, true), ` +
    `set_config('app.scope', ${literal(scope.platform ? 'platform' : '')}, true), ` +
    `set_config('app.merchant_id', ${literal(scope.merchantId ?? '')}, true)`
  );
}

/** The part of knex's client that lends pooled pg connections. */
interface PoolClient {
  acquireConnection(): Promise<pg.PoolClient>;
  releaseConnection(connection: pg.PoolClient): Promise<unknown>;
}

/**
 * Read access for one request: its queries run in short implicit transactions that have entered the
 * tenant, those of one turn of the event loop in one message, and their rows become read-only entity
 * instances (`map`).
 */
export class TenantDb {
  private forked?: EntityManager;
  private settings?: string;

  /**
   * `source`: the EntityManager to fork for this unit's writes, forked on first use — a read-only
   * request never needs one (reads go through knex). `loggerContext` counts the statements of both.
   */
  constructor(
    private readonly source: EntityManager,
    readonly scope: TenantScope,
    private readonly loggerContext: Record<string, unknown> = source.getLoggerContext(),
  ) {}

  /** This unit's own EntityManager: its identity map and transactions. */
  get em(): EntityManager {
    return (this.forked ??= this.source.fork({ loggerContext: this.loggerContext }));
  }

  knex(): Knex {
    return this.source.getKnex();
  }

  /**
   * Runs `work`, whose `run` sends its query with the tenant's settings in front: PostgreSQL runs a
   * multi-statement simple query as one implicit transaction, so the settings hold for that message
   * alone — no BEGIN, set_config, COMMIT. The queries a request issues in the same turn of the event
   * loop (sibling DataLoader batches: a dashboard's balances, orders, counts and warnings) travel in
   * one such message: one round trip and one pooled connection for a level of the selection.
   */
  async read<T>(work: (run: (query: Knex.QueryBuilder | ReadStatement) => Promise<Row[]>) => Promise<T>): Promise<T> {
    return work((query) => {
      const statement = typeof query === 'string' || 'template' in query ? query : query.toQuery();
      countRead(this.loggerContext, () => `${(this.settings ??= settingsOf(this.scope))}; ${filledIn(statement)}`);
      return new Promise<Row[]>((resolve, reject) => {
        const first = !this.pending.length;
        this.pending.push({ statement, resolve, reject });
        if (first) setImmediate(() => void this.sendPending());
      });
    });
  }

  private pending: PendingRead[] = [];

  private async sendPending(): Promise<void> {
    const reads = this.pending;
    this.pending = [];
    try {
      const results = await this.send(reads.map((read) => read.statement));
      reads.forEach((read, i) => read.resolve(results[i]));
    } catch (error) {
      if (reads.length === 1) return reads[0].reject(error);
      // One failed statement aborts the message: each read alone again, so each gets its own outcome.
      await Promise.all(
        reads.map((read) => this.send([read.statement]).then((results) => read.resolve(results[0]), read.reject)),
      );
    }
  }

  /**
   * The statements' rows, sent in one message behind the settings, on a connection straight from the
   * pool. A shape read before runs as its prepared statement, prepared in the same message on a
   * connection that has not prepared it yet.
   */
  private async send(statements: readonly ReadStatement[]): Promise<Row[][]> {
    const client = this.knex().client as PoolClient;
    recordMessage(this.loggerContext);
    const connection = await client.acquireConnection();
    try {
      const head = [(this.settings ??= settingsOf(this.scope))];
      const body = statements.map((statement) => inMessage(connection, statement, head));
      const results = (await connection.query([...head, ...body].join('; '))) as unknown as { rows: Row[] }[];
      return results.slice(head.length).map((result) => result.rows);
    } catch (error) {
      // Which statements of the message were prepared before it failed is unknown: start afresh.
      forgetPrepared(connection);
      throw error;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** Runs `work` with an EntityManager in one transaction that has entered the tenant. */
  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.em.transactional(
      async (em) => {
        // The settings travel with the transaction's first statement rather than in a message of their own.
        await rideInTransaction(em as EntityManager, [(this.settings ??= settingsOf(this.scope))]);
        return work(em as EntityManager);
      },
      // BEGIN and COMMIT are counted for the request too.
      { loggerContext: this.em.getLoggerContext() },
    );
  }

  /**
   * The service-layer half of tenant isolation: adds the merchant condition to a query unless the
   * actor is platform staff. `condition` receives the merchant id; nobody (no scope) matches nothing.
   */
  scoped(qb: Knex.QueryBuilder, condition: (qb: Knex.QueryBuilder, merchantId: string) => void): Knex.QueryBuilder {
    if (this.scope.platform) return qb;
    if (!this.scope.merchantId) return qb.whereRaw('false');
    condition(qb, this.scope.merchantId);
    return qb;
  }

  /**
   * A row as a read-only instance of its entity class, built straight from MikroORM's metadata:
   * scalars converted by their mapped types, relations as references holding the key. It is not
   * managed (reads never flush), which skips the validation, change-tracking snapshot and property
   * propagation that make `em.map` cost tens of microseconds a row on pages of a thousand rows.
   */
  map<T extends object>(entity: new (...args: never[]) => T, row: Row): T {
    return rowMapperOf(this.source, entity)(row) as T;
  }

  /**
   * The columns of `entity`'s table that a selection needs: each asked field's own column (the
   * property of that name), or the columns of the properties `reads` declares for a field computed
   * from others (`[]`: from the id alone); the id always. Null — every column — when the selection is
   * unknown or asks a field that is neither.
   */
  columnsFor(
    entity: new (...args: never[]) => object,
    fields: ReadonlySet<string> | null,
    reads: FieldReads = NO_READS,
  ): readonly string[] | null {
    if (!fields) return null;
    // Worked out once per selection (`selectedFields` gives one set per field of a document), not per row.
    let byEntity = columnsBySelection.get(fields);
    if (!byEntity) columnsBySelection.set(fields, (byEntity = new Map()));
    let byReads = byEntity.get(entity);
    if (!byReads) byEntity.set(entity, (byReads = new Map()));
    if (byReads.has(reads)) return byReads.get(reads)!;
    const columns = columnsOfEntity(this.source, entity);
    const needed = new Set(['id']);
    let answer: readonly string[] | null = null;
    for (const field of fields) {
      if (field === '__typename') continue;
      const properties = reads[field] ?? (columns.has(field) ? [field] : undefined);
      if (!properties) {
        needed.clear();
        break;
      }
      for (const property of properties) needed.add(columns.get(property)!);
    }
    if (needed.size) answer = [...needed].sort();
    byReads.set(reads, answer);
    return answer;
  }

  /**
   * An entity known only by its key, unread: for a parent's foreign key whose object is asked for
   * nothing but its id. Only for keys the actor reaches through the parent (same tenant by the schema).
   */
  reference<T extends object>(entity: new (...args: never[]) => T, id: string): T {
    return this.map(entity, { id });
  }

  /** Where a to-one relation of an entity is stored: the entity's table and the column holding the key. */
  relation(entity: new (...args: never[]) => object, property: string): StoredRelation {
    const meta = this.source.getMetadata().get(entity.name);
    const column = columnsOfEntity(this.source, entity).get(property);
    const kind = meta.properties[property]?.kind;
    if (!column || (kind !== ReferenceKind.MANY_TO_ONE && kind !== ReferenceKind.ONE_TO_ONE)) {
      throw new Error(`${entity.name}.${property} is not a stored to-one relation`);
    }
    return { table: meta.tableName, column };
  }
}

/** A to-one relation as stored: the table whose rows hold it and their column with the other row's key. */
export interface StoredRelation {
  table: string;
  column: string;
}

/** A row as a read-only instance of its entity class (see `TenantDb.map`), for reads made inside a transaction. */
export function mapRow<T extends object>(em: EntityManager, entity: new (...args: never[]) => T, row: Row): T {
  return rowMapperOf(em, entity)(row) as T;
}

/** For fields computed from other properties: which ones each reads (`[]`: the id alone). */
export type FieldReads = Readonly<Record<string, readonly string[]>>;
const NO_READS: FieldReads = {};

const columnsBySelection = new WeakMap<ReadonlySet<string>, Map<object, Map<FieldReads, readonly string[] | null>>>();

const keysOfColumns = new WeakMap<readonly string[], string>();

/** A list of columns as a cache key (`*`: all), written once per list. */
export function columnsKey(columns: readonly string[] | null): string {
  if (!columns) return '*';
  let key = keysOfColumns.get(columns);
  if (key === undefined) keysOfColumns.set(columns, (key = columns.join(',')));
  return key;
}

const entityColumns = new WeakMap<object, Map<string, string>>();

/** Each stored property of an entity and its column (a relation: its foreign key). */
function columnsOfEntity(em: EntityManager, entity: new (...args: never[]) => object): Map<string, string> {
  let columns = entityColumns.get(entity);
  if (!columns) {
    columns = new Map();
    for (const prop of em.getMetadata().get(entity.name).props) {
      const stored =
        prop.kind === ReferenceKind.SCALAR ||
        prop.kind === ReferenceKind.MANY_TO_ONE ||
        (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner);
      if (stored && prop.persist !== false && prop.fieldNames?.[0]) columns.set(prop.name, prop.fieldNames[0]);
    }
    entityColumns.set(entity, columns);
  }
  return columns;
}

type RowMapper = (row: Row) => object;
const rowMappers = new WeakMap<object, RowMapper>();

/**
 * The mapper of one entity class, worked out once from its metadata: the column, kind and conversion
 * of each property, and a constructor whose prototype shadows MikroORM's accessors with plain data
 * properties and inherits the entity's. Every row of a class then gets the same object shape, built
 * with plain stores: a few microseconds per row.
 */
function rowMapperOf(em: EntityManager, entity: new (...args: never[]) => object): RowMapper {
  const cached = rowMappers.get(entity);
  if (cached) return cached;
  const platform = em.getPlatform();
  const fields = em
    .getMetadata()
    .get(entity.name)
    .props.flatMap((prop) => {
      const column = prop.fieldNames?.[0];
      if (!column) return [];
      const isReference = prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE;
      const key = isReference ? prop.targetMeta!.primaryKeys[0] : '';
      const convert: (value: unknown) => unknown = isReference
        ? (value) => ({ [key]: value })
        : prop.customType
          ? (value) => prop.customType!.convertToJSValue(value, platform)
          : prop.runtimeType === 'Date'
            ? (value) => (value instanceof Date ? value : new Date(value as string))
            : (value) => value;
      return [{ name: prop.name, column, convert }];
    });
  const prototype = Object.create(entity.prototype) as object;
  for (const { name } of fields) {
    Object.defineProperty(prototype, name, { value: undefined, writable: true, configurable: true });
  }
  function MappedRow(this: Record<string, unknown>, row: Row) {
    for (const { name, column, convert } of fields) {
      const value = row[column];
      if (value !== undefined) this[name] = value === null ? null : convert(value);
    }
  }
  MappedRow.prototype = prototype;
  const Mapped = MappedRow as unknown as new (row: Row) => object;
  const mapper: RowMapper = (row) => new Mapped(row);
  rowMappers.set(entity, mapper);
  return mapper;
}
