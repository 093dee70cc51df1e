/**
 * Puts a module in place of `@abandonware/bluetooth-hci-socket` for every
 * CommonJS `require` of it, noble's and bleno's included. Both create their
 * HCI socket when first required, so this runs before they are.
 * @module
 */
import Module from 'node:module';

/** The package noble and bleno require for their HCI socket. */
export const HCI_SOCKET_MODULE = '@abandonware/bluetooth-hci-socket';
const ID = '\0ble-smp:bluetooth-hci-socket';

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: Resolve;
  _nodeModulePaths(from: string): string[];
  _cache: Record<string, { exports: unknown; loaded: boolean; id: string; filename: string }>;
}
const internals = Module as unknown as ModuleInternals;
let original: Resolve | undefined;

/**
 * Makes `require('@abandonware/bluetooth-hci-socket')` return `exports` from
 * now on (until the returned function is called), whether or not the native
 * module is installed or built.
 * @example
 * ```ts
 * const restore = provideHciSocket(TransportHciSocket);
 * const noble = createRequire(import.meta.url)('@abandonware/noble');
 * ```
 */
export function provideHciSocket(exports: unknown): () => void {
  if (!original) {
    const resolve = internals._resolveFilename;
    original = resolve;
    internals._resolveFilename = function (this: unknown, request, ...rest) {
      if (request === HCI_SOCKET_MODULE && internals._cache[ID]) return ID;
      return resolve.call(this, request, ...rest);
    };
  }
  internals._cache[ID] = { exports, loaded: true, id: ID, filename: ID };
  return () => {
    if (internals._cache[ID]?.exports === exports) delete internals._cache[ID];
  };
}

/**
 * The real `@abandonware/bluetooth-hci-socket`, as resolved from `from` (a
 * file path), bypassing {@link provideHciSocket}.
 * @throws Error when it is not installed or its native part is not built.
 * @example
 * ```ts
 * const Native = loadNativeHciSocket(require.resolve('@abandonware/noble'));
 * ```
 */
export function loadNativeHciSocket(from: string): unknown {
  const resolve = original ?? internals._resolveFilename;
  const fake = { id: from, filename: from, paths: internals._nodeModulePaths(from) };
  const path = resolve.call(Module, HCI_SOCKET_MODULE, fake, false);
  return Module.createRequire(from)(path);
}
