import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/**
 * The module boundaries of ../shared/ARCHITECTURE.md, read from the source: a module's entities are
 * imported and its tables named only by its own files; `db/` builds on nothing above it; no value
 * import goes round in a circle.
 */

export interface SourceFile {
  /** Relative to the project root, with forward slashes: `src/modules/trust/trust.service.ts`. */
  path: string;
  text: string;
}

/**
 * Files allowed across the lines: entity files relate to other modules' entities by foreign key (the
 * database's own integrity); the entity registry lists them all; the demo seed writes a whole world.
 */
const ALLOWED = [
  /^src\/modules\/[^/]+\/[^/]+\.entity\.ts$/,
  /^src\/db\/entities\.ts$/,
  /^src\/cli\/seed-demo-data\.ts$/,
];

const SQL_TABLE = /\b(?:from|join|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?/gi;
const TABLE_CALLEES = new Set(['knex', 'from', 'join', 'leftJoin', 'innerJoin', 'into', 'table', 'update', 'insert']);

export function listSources(root: string, folder = 'src'): SourceFile[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => {
      const path = relative(root, join(entry.parentPath, entry.name)).split('\\').join('/');
      return { path, text: readFileSync(join(root, path), 'utf8') };
    });
}

const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1] ?? null;

/** Which module owns each table and each entity class, from the entity files. */
export function owners(files: SourceFile[]) {
  const tables = new Map<string, string>();
  const entityFiles = new Map<string, string>();
  for (const file of files) {
    const module = moduleOf(file.path);
    if (!module || !file.path.endsWith('.entity.ts')) continue;
    entityFiles.set(file.path.replace(/\.ts$/, ''), module);
    for (const match of file.text.matchAll(/tableName:\s*'([a-z_]+)'/g)) tables.set(match[1], module);
  }
  return { tables, entityFiles };
}

interface Import {
  /** Resolved to a project path without extension, or the package name. */
  target: string;
  typeOnly: boolean;
}

function isTypeOnly(statement: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(statement)) return statement.isTypeOnly;
  const clause = statement.importClause;
  const named =
    clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
  return Boolean(
    clause?.isTypeOnly || (!clause?.name && named?.length && named.every((element) => element.isTypeOnly)),
  );
}

function importsOf(file: SourceFile, source: ts.SourceFile): Import[] {
  const imports: Import[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier)
      continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    const target = specifier.startsWith('.')
      ? normalize(join(dirname(file.path), specifier))
          .split('\\')
          .join('/')
      : specifier;
    imports.push({ target, typeOnly: isTypeOnly(statement) });
  }
  return imports;
}

/** Table names a file mentions: in SQL text, as the table argument of a query builder, or as a `table:` spec. */
function tablesNamed(source: ts.SourceFile, known: Map<string, string>): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      const text = node.text;
      for (const match of text.matchAll(SQL_TABLE)) if (known.has(match[1])) found.push(match[1]);
      const bare = /^([a-z_]+)(?: as \w+)?$/.exec(text)?.[1];
      if (bare && known.has(bare) && namesTable(node)) found.push(bare);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function namesTable(literal: ts.Node): boolean {
  const parent = literal.parent;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name))
    return ['table', 'tableName'].includes(parent.name.text);
  if (ts.isCallExpression(parent) && parent.arguments[0] === literal) {
    const callee = parent.expression;
    if (ts.isCallExpression(callee)) return true; // knex()('order')
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return TABLE_CALLEES.has(name);
  }
  return false;
}

/** Every crossing of a boundary, as "file: what" lines. */
export function boundaryViolations(files: SourceFile[], known = owners(files)): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
    const module = moduleOf(file.path);
    const allowed = ALLOWED.some((pattern) => pattern.test(file.path));
    for (const { target } of importsOf(file, source)) {
      const owner = known.entityFiles.get(target);
      if (owner && owner !== module && !allowed) violations.push(`${file.path}: imports ${owner}'s entity ${target}`);
      if (file.path.startsWith('src/db/') && /^src\/(server|graphql)\//.test(target))
        violations.push(`${file.path}: db/ imports ${target}`);
    }
    if (allowed || file.path.startsWith('migrations/')) continue;
    for (const table of new Set(tablesNamed(source, known.tables))) {
      const owner = known.tables.get(table)!;
      if (owner !== module) violations.push(`${file.path}: names ${owner}'s table "${table}"`);
    }
  }
  return violations;
}

/**
 * Circles of imports between project files; value imports only unless `withTypes` (a type-only circle
 * runs nothing but still ties the files together for a reader and the compiler).
 */
export function importCycles(files: SourceFile[], withTypes = false): string[][] {
  const paths = new Set(files.map((file) => file.path.replace(/\.ts$/, '')));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
    const from = file.path.replace(/\.ts$/, '');
    edges.set(
      from,
      importsOf(file, source)
        .filter((i) => (withTypes || !i.typeOnly) && paths.has(i.target))
        .map((i) => i.target),
    );
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * The floors of src/, lowest first: a file builds on its own floor and those below. The modules sit
 * above the infrastructure they use; the entry points (jobs, CLI, main) above the modules.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['shared', 'config'],
  ['db', 'observability'],
  ['security'],
  ['graphql'],
  ['server'],
  ['modules'],
  ['jobs', 'cli', 'mikro-orm.config'],
  ['main', 'instrument'],
];

function floorOf(path: string): number {
  const top = path
    .replace(/^src\//, '')
    .split('/')[0]
    .replace(/\.ts$/, '');
  const floor = FLOORS.findIndex((names) => names.includes(top));
  if (floor < 0) throw new Error(`${path} is on no floor: add ${top} to FLOORS`);
  return floor;
}

/** Imports (type-only ones too) from a file to one on a higher floor, as "from -> to". */
export function backArrows(files: SourceFile[]): string[] {
  const paths = new Set(files.map((file) => file.path.replace(/\.ts$/, '')));
  const arrows: string[] = [];
  for (const file of files.filter((f) => f.path.startsWith('src/'))) {
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
    for (const { target } of importsOf(file, source)) {
      if (paths.has(target) && floorOf(target) > floorOf(file.path)) arrows.push(`${file.path} -> ${target}`);
    }
  }
  return arrows;
}

/** What a service function may not take in place of its context (ARCHITECTURE.md, convention 4). */
const NOT_A_CONTEXT = /\b(EntityManager|SqlEntityManager|TenantDb|RequestContext|Reader|Session)\b/;
const CONTEXT = /^(ServiceContext|Tx)$/;

/**
 * Functions of the modules' services (resolvers, loader factories and entities aside) that take an
 * EntityManager, a TenantDb or a request context instead of the one service context, or take the
 * context in another place than first, as "path:line name".
 */
export function serviceContextViolations(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (!/^src\/modules\/.+\.ts$/.test(file.path) || /\.(resolver|loaders|entity)\.ts$|\/index\.ts$/.test(file.path))
      continue;
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) {
        node.parameters.forEach((parameter, i) => {
          const type = parameter.type?.getText(source);
          if (!type) return;
          const where = `${file.path}:${source.getLineAndCharacterOfPosition(parameter.getStart(source)).line + 1}`;
          const name = parameter.name.getText(source);
          if (NOT_A_CONTEXT.test(type)) found.push(`${where} ${name}: ${type}`);
          else if (i > 0 && CONTEXT.test(type)) found.push(`${where} ${name}: ${type} is not first`);
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
