/**
 * The TypeScript snippets of README.md and docs/*.md, and their type-check
 * against the built package, imported by name as a user's project would.
 *
 * A fenced block whose info string starts with `ts` or `typescript` is a
 * snippet, compiled as a module of its own. A snippet that cannot stand alone
 * says so on its first line, where every reader sees it:
 *
 *     // fragment: why it is not compiled
 *
 * and is reported as skipped with that reason. Prefer a snippet that compiles:
 * its imports, and `declare const peer: Peer;` for what the app provides.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface Snippet {
  /** The markdown file, relative to the repository: `docs/smp.md`. */
  readonly doc: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  /** The block's text, without the fences. */
  readonly code: string;
  /** The reason given on a `// fragment:` first line: the snippet is not compiled. */
  readonly fragment: string | null;
}

/** A fenced block of any language, as CommonMark reads it (backticks or tildes, up to 3 spaces of indent). */
export interface FencedBlock {
  readonly line: number;
  /** The info string's first word, lower case: `ts`, `sh`, or '' for none. */
  readonly language: string;
  readonly code: string;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const FRAGMENT = /^\s*\/\/\s*fragment:(.*)$/;

/** Every fenced block of a markdown text. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !closing.test(lines[j]!); j++) {
      // Content loses as many leading spaces as the opening fence had (CommonMark).
      body.push(lines[j]!.replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    blocks.push({ line: i + 1, language: info.toLowerCase(), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

export const TYPESCRIPT = new Set(['ts', 'typescript']);

/** The TypeScript snippets of one markdown text. */
export function extractSnippets(doc: string, markdown: string): Snippet[] {
  return fencedBlocks(markdown)
    .filter((block) => TYPESCRIPT.has(block.language))
    .map((block) => {
      const first = block.code.split('\n').find((l) => l.trim() !== '') ?? '';
      const fragment = FRAGMENT.exec(first);
      return { doc, line: block.line, code: block.code, fragment: fragment ? fragment[1]!.trim() : null };
    });
}

/** README.md and every docs/*.md, in that order. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** Where a snippet is: `docs/smp.md:11`. */
export const where = (snippet: Snippet) => `${snippet.doc}:${snippet.line}`;

/**
 * Builds the package's declarations into `<directory>/ble-smp/dist` (tsc with
 * tsconfig.build.json, declarations only) beside a copy of package.json, and
 * returns that package folder: a build of the test's own, so that another
 * test rebuilding the repository's dist/ (the packaging test) can never be
 * read half-written.
 */
export function buildPackage(root: string, directory: string): string {
  const pkg = join(directory, 'ble-smp');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), readFileSync(join(root, 'package.json')));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')];
  try {
    execFileSync(process.execPath, [tsc, ...args, '--emitDeclarationOnly', '--declarationMap', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`the build (tsc -p tsconfig.build.json) failed:\n${stdout}${stderr}`);
  }
  return pkg;
}

/**
 * The repository's compiler options (tsconfig.json) without what maps
 * `ble-smp` to the sources or emits: snippets see the package as published.
 */
function userOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root);
  const [error] = errors;
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const {
    paths: _paths,
    rootDir: _rootDir,
    outDir: _outDir,
    declaration: _declaration,
    declarationMap: _declarationMap,
    sourceMap: _sourceMap,
    ...rest
  } = options;
  return { ...rest, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force };
}

export interface Compiled {
  /** The scratch project: package.json, node_modules, one module per snippet. */
  readonly directory: string;
  /** Each snippet's diagnostics, located in its markdown file: `docs/smp.md:14:3 error TS2304: ...`. */
  readonly diagnostics: Map<Snippet, string[]>;
  /** Diagnostics in no snippet (options, or declarations of the package itself). */
  readonly elsewhere: string[];
  /** The package's files the snippets loaded, relative to the package (dist/..., never src/...). */
  readonly packageFiles: string[];
}

/**
 * Type-checks the snippets in one compiler program, in a scratch project
 * under the OS temp directory whose node_modules/ble-smp is a build of the
 * package (resolved through package.json `exports` to dist/*.d.ts, see
 * {@link buildPackage}) and whose other node_modules entries are the
 * repository's.
 */
export function compileSnippets(root: string, snippets: readonly Snippet[]): Compiled {
  const directory = mkdtempSync(join(tmpdir(), 'ble-smp-snippets-'));
  try {
    return compileIn(root, snippets, directory);
  } catch (error) {
    removeScratch(directory); // the caller never gets the directory to remove
    throw error;
  }
}

function compileIn(root: string, snippets: readonly Snippet[], directory: string): Compiled {
  const pkg = buildPackage(root, directory);
  writeFileSync(
    join(directory, 'package.json'),
    JSON.stringify({ name: 'snippets', private: true, type: 'module' }),
  );
  const modules = join(directory, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === 'ble-smp' || name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  symlinkSync(pkg, join(modules, 'ble-smp'), 'dir');

  const files = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const file = join(directory, `${snippet.doc.replace(/[^A-Za-z0-9]+/g, '-')}-${snippet.line}.ts`);
    writeFileSync(file, `${snippet.code}\n`);
    files.set(resolve(file), snippet);
  }
  const program = ts.createProgram([...files.keys()], userOptions(root));

  const diagnostics = new Map<Snippet, string[]>(snippets.map((s) => [s, []]));
  const elsewhere: string[] = [];
  const all = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  for (const d of all) {
    const text = `${ts.DiagnosticCategory[d.category].toLowerCase()} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    if (!d.file || d.start === undefined) {
      elsewhere.push(text);
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const snippet = files.get(resolve(d.file.fileName));
    if (snippet) {
      // Line 0 of the module is the line after the opening fence.
      diagnostics.get(snippet)!.push(`${snippet.doc}:${snippet.line + 1 + line}:${character + 1} ${text}`);
    } else {
      elsewhere.push(`${d.file.fileName}:${line + 1}:${character + 1} ${text}`);
    }
  }
  const packageFiles = program
    .getSourceFiles()
    .map((file) => relative(pkg, file.fileName))
    .filter((path) => !path.startsWith('..') && !path.startsWith('node_modules/'));
  return { directory, diagnostics, elsewhere, packageFiles };
}

/** Removes the scratch project (its node_modules are links: the repository's stay). */
export function removeScratch(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}
