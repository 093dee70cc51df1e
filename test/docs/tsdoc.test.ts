/**
 * Every public function, class and constant has a TSDoc comment with an
 * example: read from the entry points' exports with the TypeScript compiler.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '../..');
/** The package's entry points, from the exports map (dist/x.js -> src/x.ts). */
const entries = Object.entries(packageJson.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([subpath, target]) => ({
    subpath,
    file: resolve(
      root,
      (target as { import: string }).import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'),
    ),
  }));

const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
  },
);
const checker = program.getTypeChecker();

function undocumented(file: string): string[] {
  const source = program.getSourceFile(file)!;
  const moduleSymbol = checker.getSymbolAtLocation(source)!;
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    // Types and interfaces document a shape, not behaviour; namespaces are checked through their own entry.
    if (symbol.flags & (ts.SymbolFlags.Type | ts.SymbolFlags.Interface | ts.SymbolFlags.Module)) {
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Value))) continue;
    }
    if (symbol.flags & ts.SymbolFlags.ValueModule) continue;
    const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const hasExample = symbol.getJsDocTags(checker).some((tag) => tag.name === 'example');
    if (!summary || !hasExample)
      missing.push(`${exported.name}${summary ? ' (no @example)' : ' (no doc comment)'}`);
  }
  return missing;
}

describe('TSDoc on the public surface', () => {
  it('finds the entry points of the exports map', () => {
    expect(entries.map((e) => e.subpath)).toEqual([
      '.',
      './crypto',
      './crypto/node',
      './smp',
      './trace',
      './noble',
      './bleno',
    ]);
  });
  it.each(entries)(
    'every value exported from ble-smp$subpath has a doc comment with an example',
    ({ file }) => {
      expect(undocumented(file)).toEqual([]);
    },
  );
});
