/**
 * The npm packages that give Node the Linux HCI socket, and which one to
 * load: `@stoprocent/bluetooth-hci-socket`, the maintained fork (2.x), which
 * ships prebuilt binaries for Linux x64, arm and arm64 and so needs no
 * compiler, else `@abandonware/bluetooth-hci-socket`, which node-gyp always
 * compiles from source. Neither is a dependency of ble-smp. When neither
 * loads, the error names both, says which one is installed but failed to
 * load, and recommends the prebuilt one.
 * @module
 */
import { createRequire } from 'node:module';
import { constructorOf, importModule, type ModuleLoader } from './optional.js';
import { TransportError } from './transport.js';

/**
 * The HCI socket packages in the order they are tried: the prebuilt fork
 * first, then the one compiled from source.
 * @example
 * ```ts
 * console.log(`npm install ${HCI_SOCKET_PACKAGES[0]}`); // npm install @stoprocent/bluetooth-hci-socket
 * ```
 */
export const HCI_SOCKET_PACKAGES = Object.freeze([
  '@stoprocent/bluetooth-hci-socket',
  '@abandonware/bluetooth-hci-socket',
] as const);

/** The name of one of the {@link HCI_SOCKET_PACKAGES}. */
export type HciSocketPackageName = (typeof HCI_SOCKET_PACKAGES)[number];

/** A package's socket class, constructed without arguments; its instances have the package's API. */
export type HciSocketConstructor = new () => unknown;

/** The package that loaded, and its socket class. */
export interface HciSocketPackage {
  readonly name: HciSocketPackageName;
  /** For `@stoprocent/bluetooth-hci-socket`, its native driver (`loadDriver('native')`). */
  readonly BluetoothHciSocket: HciSocketConstructor;
}

/** A loader per package, in place of `import()`; a package with none counts as not installed. */
export type HciSocketLoaders = Readonly<Partial<Record<HciSocketPackageName, ModuleLoader>>>;

/** Options of {@link loadHciSocketPackage}. */
export interface LoadHciSocketPackageOptions {
  /** Who needs the package: the error message starts with it. Default `ble-smp`. */
  readonly user?: string;
  /**
   * Loads the packages (for tests and unusual setups); default `import()` of
   * each. When given, a package without a loader here counts as not installed.
   */
  readonly loaders?: HciSocketLoaders;
}

/** A package that did not load: not installed, or installed and failing (its native part not built, say). */
interface Failure {
  readonly name: HciSocketPackageName;
  readonly installed: boolean;
  readonly error?: unknown;
}

/**
 * The `@stoprocent/bluetooth-hci-socket` drivers (its `loadDriver(type)`):
 * `native` the Linux HCI socket; `default` what the package picks itself
 * (UART when `BLUETOOTH_HCI_SOCKET_UART_PORT` is set, USB when
 * `BLUETOOTH_HCI_SOCKET_FORCE_USB` is, else native on Linux), as noble and
 * bleno 2.x do unless told otherwise.
 */
export type HciSocketDriver = 'native' | 'default';

/**
 * The socket class of a loaded package (`module.exports`, or the namespace
 * `import()` makes of it): the driver where the package has `loadDriver`
 * (the `@stoprocent` one), else the class it exports. Throws when there is
 * none, as for a package that fails to load.
 */
function socketClassOf(mod: unknown, driver: HciSocketDriver = 'native'): HciSocketConstructor {
  const owners = [mod, (mod as { default?: unknown } | null | undefined)?.default];
  const owner = owners.find(
    (candidate) =>
      typeof (candidate as { loadDriver?: unknown } | null | undefined)?.loadDriver === 'function',
  ) as { loadDriver(type: string): unknown } | undefined;
  const found = constructorOf(owner ? owner.loadDriver(driver) : mod, 'BluetoothHciSocket');
  if (!found) throw new NoSocketClassError();
  return found as HciSocketConstructor;
}

/** A package that loaded but offers no socket class: not a build problem, so no repair to suggest. */
class NoSocketClassError extends Error {
  constructor() {
    super('it exports no BluetoothHciSocket class');
  }
}

/** Why `name` did not load: not installed when the error is the resolver's not-found for the package itself. */
function failure(name: HciSocketPackageName, error: unknown): Failure {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const notFound =
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    firstLine(error).includes(`'${name}'`);
  return { name, installed: !notFound, error };
}

/** An error's message up to its first line break (Node appends the require stack to not-found errors). */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!;
}

/** How to let npm 11 run a package's install script, which it skips for dependencies until allowed. */
function allowInstallScript(name: HciSocketPackageName): string {
  return `npm 11 runs it only once allowed: \`npm install-scripts approve ${name}\`, then \`npm rebuild ${name}\``;
}

/** What to do when a package is installed but failed to load. */
const REPAIRS: Readonly<Record<HciSocketPackageName, string>> = {
  '@stoprocent/bluetooth-hci-socket':
    'its prebuilt binaries cover Linux x64, arm and arm64; elsewhere its install script compiles it, and ' +
    allowInstallScript('@stoprocent/bluetooth-hci-socket'),
  '@abandonware/bluetooth-hci-socket':
    'its install script compiles its native part, with build-essential and python3 installed, and ' +
    allowInstallScript('@abandonware/bluetooth-hci-socket'),
};

/** The `missing-module` error when no package loaded: names both, recommends the prebuilt one. */
function noPackageError(user: string, failures: readonly Failure[]): TransportError {
  const [prebuilt, fromSource] = HCI_SOCKET_PACKAGES;
  const states = failures.map(({ name, installed, error }) =>
    installed
      ? `${name} is installed but failed to load (${firstLine(error)}${error instanceof NoSocketClassError ? '' : `; ${REPAIRS[name]}`})`
      : `${name} is not installed`,
  );
  const message =
    `${user} needs an HCI socket package, and none loaded: ${states.join('; ')}. ` +
    `Install the prebuilt one: \`npm install ${prebuilt}\` (prebuilt for Linux x64, arm and arm64, no compiler ` +
    `needed); ${fromSource} is compiled from source (it needs build-essential and python3)`;
  const errors = failures.flatMap(({ error }) => (error === undefined ? [] : [error]));
  const cause = errors.length > 1 ? new AggregateError(errors, 'no HCI socket package loaded') : errors[0];
  return new TransportError('missing-module', message, cause === undefined ? {} : { cause });
}

/**
 * Requires the first HCI socket package that loads, resolved from `from` (a
 * file path, as for `createRequire`): `@stoprocent/bluetooth-hci-socket`
 * (its `driver`, default the native one), else `@abandonware/bluetooth-hci-socket`
 * (native only). A package
 * that is installed but fails to load is passed over for the next. Throws a
 * {@link TransportError} with code `missing-module` when none loads, whose
 * message names both packages and recommends the prebuilt one.
 * @example
 * ```ts
 * const { name, BluetoothHciSocket } = requireHciSocketPackage(join(process.cwd(), 'package.json'));
 * const socket = new BluetoothHciSocket();
 * console.log(`HCI socket from ${name}`);
 * ```
 */
export function requireHciSocketPackage(from: string, driver: HciSocketDriver = 'native'): HciSocketPackage {
  const require = createRequire(from);
  const failures: Failure[] = [];
  for (const name of HCI_SOCKET_PACKAGES) {
    try {
      return { name, BluetoothHciSocket: socketClassOf(require(name), driver) };
    } catch (error) {
      failures.push(failure(name, error));
    }
  }
  throw noPackageError('ble-smp', failures);
}

/**
 * {@link requireHciSocketPackage} through `import()`, or through the given
 * loaders: loads the first HCI socket package that loads, in the order of
 * {@link HCI_SOCKET_PACKAGES}. Rejects with a {@link TransportError} with
 * code `missing-module` when none loads.
 * @example
 * ```ts
 * const { BluetoothHciSocket } = await loadHciSocketPackage({ user: 'hci0' });
 * // in a test: only the fallback, and it is a fake
 * await loadHciSocketPackage({ loaders: { '@abandonware/bluetooth-hci-socket': async () => ({ default: FakeSocket }) } });
 * ```
 */
export async function loadHciSocketPackage(
  options: LoadHciSocketPackageOptions = {},
): Promise<HciSocketPackage> {
  const failures: Failure[] = [];
  for (const name of HCI_SOCKET_PACKAGES) {
    const load = options.loaders ? options.loaders[name] : importModule(name);
    if (!load) {
      failures.push({ name, installed: false });
      continue;
    }
    try {
      return { name, BluetoothHciSocket: socketClassOf(await load()) };
    } catch (error) {
      failures.push(failure(name, error));
    }
  }
  throw noPackageError(options.user ?? 'ble-smp', failures);
}
