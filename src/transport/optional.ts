/**
 * Optional packages: loaded with a dynamic `import()` only when a transport
 * needs them, so they never become required dependencies. The loader is a
 * parameter, so tests can stand in for the package or for its absence.
 * @module
 */
import { TransportError } from './transport.js';

/** Loads a module and resolves to its namespace object (what `import()` returns). */
export type ModuleLoader = () => Promise<unknown>;

/**
 * The loader `import(name)`. The specifier is a variable, so neither the
 * compiler nor a bundler insists that the package exists.
 * @example
 * ```ts
 * const load = importModule('serialport');
 * const mod = await load(); // rejects with ERR_MODULE_NOT_FOUND when it is not installed
 * ```
 */
export function importModule(name: string): ModuleLoader {
  return () => import(name);
}

/**
 * Runs a loader; when it fails, throws a {@link TransportError} with code
 * `missing-module` that names the package and the command that installs it.
 * @example
 * ```ts
 * const mod = await loadOptional('serialport', importModule('serialport'), 'serial:/dev/ttyACM0');
 * ```
 */
export async function loadOptional(name: string, load: ModuleLoader, user: string): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const detail = error instanceof Error ? error.message : String(error);
    const notFound =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && detail.includes(`'${name}'`);
    const what = notFound ? 'is not installed' : `failed to load (${detail})`;
    throw new TransportError(
      'missing-module',
      `${user} needs the optional package ${name}, which ${what}: install it: npm install ${name}`,
      { cause: error },
    );
  }
}

/**
 * The export `name` of a loaded module, or its default export, or the module
 * itself, whichever is a constructor: CommonJS packages reach `import()` as
 * `{ default: module.exports }`.
 * @example
 * ```ts
 * const BluetoothHciSocket = constructorOf(await load(), 'BluetoothHciSocket');
 * ```
 */
export function constructorOf(mod: unknown, name: string): (new (...args: never[]) => unknown) | undefined {
  const record = (value: unknown) =>
    (typeof value === 'object' || typeof value === 'function') && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  const defaults = record(mod)?.default;
  const candidates = [record(mod)?.[name], record(defaults)?.[name], defaults, mod];
  const found = candidates.find((candidate) => typeof candidate === 'function');
  return found as (new (...args: never[]) => unknown) | undefined;
}
