/**
 * Puts a module in place of the HCI socket packages noble and bleno require
 * (`@abandonware/bluetooth-hci-socket` for the `@abandonware` family,
 * `@stoprocent/bluetooth-hci-socket` for the `@stoprocent` one) for every
 * CommonJS `require` of them. `@abandonware/*` export the socket class;
 * `@stoprocent/*` export it too, with `loadDriver(type)` returning the class
 * for a driver, which is what `@stoprocent/noble` 2.x and `@stoprocent/bleno`
 * 0.12 call. Both libraries create their HCI socket when
 * first required, so this runs before they are.
 * @module
 */
import Module from 'node:module';
import { HCI_SOCKET_PACKAGES } from '../../transport/hci-socket-package.js';

const ID = '\0ble-smp:bluetooth-hci-socket';

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: Resolve;
  _cache: Record<string, { exports: unknown; loaded: boolean; id: string; filename: string }>;
}
const internals = Module as unknown as ModuleInternals;
let hooked = false;
let bypassed = 0;

/** The class, with the `loadDriver` of the `@stoprocent` package: every driver is this class. */
function asModuleExports(exports: unknown): unknown {
  if (typeof exports !== 'function') return exports;
  const SocketClass = exports as new () => object;
  const provided = class extends SocketClass {};
  return Object.assign(provided, { loadDriver: () => provided });
}

/**
 * Makes `require()` of either HCI socket package return `exports` from now on
 * (until the returned function is called), whether or not the native module
 * is installed or built. A class gains the `@stoprocent` package's
 * `loadDriver()`, so one class serves both families.
 * @example
 * ```ts
 * const restore = provideHciSocket(TransportHciSocket);
 * const noble = createRequire(import.meta.url)('@stoprocent/noble');
 * ```
 */
export function provideHciSocket(exports: unknown): () => void {
  if (!hooked) {
    hooked = true;
    const resolve = internals._resolveFilename;
    internals._resolveFilename = function (this: unknown, request, ...rest) {
      if (
        bypassed === 0 &&
        (HCI_SOCKET_PACKAGES as readonly string[]).includes(request) &&
        internals._cache[ID]
      )
        return ID;
      return resolve.call(this, request, ...rest);
    };
  }
  const entry = { exports: asModuleExports(exports), loaded: true, id: ID, filename: ID };
  internals._cache[ID] = entry;
  return () => {
    if (internals._cache[ID] === entry) delete internals._cache[ID];
  };
}

/**
 * Runs `load` with {@link provideHciSocket} out of the way, so that it
 * requires the real HCI socket package.
 * @example
 * ```ts
 * const { BluetoothHciSocket } = withoutProvidedSocket(() => requireHciSocketPackage(from));
 * ```
 */
export function withoutProvidedSocket<T>(load: () => T): T {
  bypassed++;
  try {
    return load();
  } finally {
    bypassed--;
  }
}
