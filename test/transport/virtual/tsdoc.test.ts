/** Every value exported from src/transport/virtual has a TSDoc comment with an example. */
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const file = resolve(import.meta.dirname, '../../../src/transport/virtual/index.ts');
const program = ts.createProgram([file], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();

describe('TSDoc in src/transport/virtual', () => {
  it('documents every exported value with an example', () => {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    const values = checker.getExportsOfModule(moduleSymbol).filter((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Value)) !== 0;
    });
    expect(values.map((v) => v.name).sort()).toEqual([
      'CONTROLLER_PROFILES',
      'VirtualAir',
      'VirtualController',
      'VirtualHardwareCode',
      'controllerProfile',
      'controllerProfileNames',
    ]);
    const missing = values.filter((exported) => {
      const symbol = checker.getAliasedSymbol(exported);
      const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
      return !summary || !symbol.getJsDocTags(checker).some((tag) => tag.name === 'example');
    });
    expect(missing.map((m) => m.name)).toEqual([]);
  });
});
