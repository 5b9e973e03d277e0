/**
 * What `@murmur/db` shows its callers is written by hand: no type reachable from any of its
 * exports (the root and every subpath of package.json) is a drizzle row type (`$inferSelect`,
 * `InferSelectModel`, …) or a table. A row type would hand callers every column, password hashes
 * included, and tie them to the schema; the concern's own entity interfaces say what they get.
 * The handles (`Database`, `Executor`) are drizzle's and stay opaque: their insides are not walked.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_DIR = join(PACKAGE_ROOT, 'src', 'schema') + sep;

function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { source: string }>;
  };
  return Object.fromEntries(
    Object.entries(pkg.exports).map(([subpath, entry]) => [
      subpath,
      join(PACKAGE_ROOT, entry.source),
    ]),
  );
}

function createProgram(files: string[]): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(PACKAGE_ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  return ts.createProgram(files, { ...config.options, noEmit: true });
}

const ROW_TYPE_NAMES = /\$infer(Select|Insert)|Infer(Select|Insert)Model|InferModelFromColumns/;

function declaredIn(symbol: ts.Symbol | undefined): string[] {
  return (symbol?.declarations ?? []).map((d) => d.getSourceFile().fileName);
}

const isDrizzleFile = (file: string) => file.includes(`${sep}drizzle-orm${sep}`);
const isOutsidePackage = (file: string) => file.includes(`${sep}node_modules${sep}`);

/** Every place a drizzle row type or table shows through the exports, as `export › path`. */
function drizzleLeaks(checker: ts.TypeChecker, exported: ts.Symbol, name: string): string[] {
  const leaks: string[] = [];
  const seen = new Set<ts.Type>();

  const walk = (type: ts.Type, path: string, depth: number): void => {
    if (seen.has(type) || depth > 8) return;
    seen.add(type);
    const text = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
    const origin = [...declaredIn(type.aliasSymbol), ...declaredIn(type.getSymbol())];
    if (
      ROW_TYPE_NAMES.test(text) ||
      origin.some((f) => f.startsWith(SCHEMA_DIR) && /Table|\$/.test(text))
    ) {
      leaks.push(`${path}: ${text.slice(0, 120)}`);
      return;
    }
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) walk(part, path, depth + 1);
      return;
    }
    // A library's type (Promise, Date, drizzle's handles) is not walked, only its type arguments
    // outside drizzle (Promise<LocalAccount> shows LocalAccount).
    if (origin.length > 0 && origin.every(isOutsidePackage)) {
      if (origin.some(isDrizzleFile)) {
        // drizzle's named types are handles (a database, a transaction, an SQL fragment); an
        // anonymous object type of drizzle's is what it infers from a table: a row.
        if (type.getSymbol()?.name === '__type' || type.getSymbol()?.name === '__object') {
          leaks.push(`${path}: a row type inferred from a table (${text.slice(0, 100)})`);
        }
        return;
      }
      const args = (type as ts.TypeReference).target
        ? checker.getTypeArguments(type as ts.TypeReference)
        : (type.aliasTypeArguments ?? []);
      for (const arg of args) walk(arg, `${path}<>`, depth + 1);
      return;
    }
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) {
        const declaration = parameter.valueDeclaration ?? parameter.declarations?.[0];
        if (declaration) {
          walk(
            checker.getTypeOfSymbolAtLocation(parameter, declaration),
            `${path}(${parameter.name})`,
            depth + 1,
          );
        }
      }
      walk(signature.getReturnType(), `${path}()`, depth + 1);
    }
    for (const property of checker.getPropertiesOfType(type)) {
      const files = declaredIn(property);
      // A column is a property of the object literal given to pgTable; the schema's hand-written
      // interfaces (jsonb shapes such as MediaMeta) are property signatures, and fine.
      const isColumn = (property.declarations ?? []).some(
        (d) => d.getSourceFile().fileName.startsWith(SCHEMA_DIR) && ts.isPropertyAssignment(d),
      );
      if (isColumn) {
        leaks.push(`${path}.${property.name}: a column of the schema (${text.slice(0, 80)})`);
        return;
      }
      if (files.length > 0 && files.every(isOutsidePackage)) continue;
      walk(checker.getTypeOfSymbol(property), `${path}.${property.name}`, depth + 1);
    }
  };

  const symbol =
    exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) {
    walk(checker.getDeclaredTypeOfSymbol(symbol), name, 0);
  }
  const declaration = symbol.valueDeclaration;
  if (declaration) walk(checker.getTypeOfSymbolAtLocation(symbol, declaration), name, 0);
  return leaks;
}

describe('the public surface of @murmur/db', () => {
  it('exposes no drizzle row type or table through any export of any subpath', () => {
    const entries = entryPoints();
    const program = createProgram(Object.values(entries));
    const checker = program.getTypeChecker();
    const leaks: string[] = [];
    let exportsSeen = 0;
    for (const [subpath, file] of Object.entries(entries)) {
      const source = program.getSourceFile(file);
      expect(source, file).toBeDefined();
      const module = checker.getSymbolAtLocation(source!)!;
      for (const exported of checker.getExportsOfModule(module)) {
        exportsSeen++;
        const name = `@murmur/db${subpath.slice(1)} ${exported.name}`;
        leaks.push(...drizzleLeaks(checker, exported, name));
      }
    }
    expect(exportsSeen).toBeGreaterThan(300);
    expect(leaks).toEqual([]);
  }, 120_000);
});
