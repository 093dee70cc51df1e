import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HCI_SOCKET_PACKAGES,
  type HciSocketPackageName,
  loadHciSocketPackage,
  requireHciSocketPackage,
} from '../../src/transport/hci-socket-package.js';
import { TransportError } from '../../src/transport/transport.js';
import { errnoError } from './fakes.js';

const STOPROCENT = '@stoprocent/bluetooth-hci-socket';
const ABANDONWARE = '@abandonware/bluetooth-hci-socket';

/** The `@stoprocent` package's shape: the default driver's class, with `loadDriver(type)` giving each driver's. */
const STOPROCENT_SOURCE = `
class Default { static driver = 'default'; }
class Native { static driver = 'native'; }
module.exports = Default;
module.exports.loadDriver = (type) => (type === 'native' ? Native : Default);
`;
/** The `@abandonware` package's shape: the class is the export. */
const ABANDONWARE_SOURCE = `module.exports = class BluetoothHciSocket { static driver = 'abandonware'; };`;
/** A package whose native part is not built, failing as the real ones do. */
const UNBUILT_SOURCE = `module.exports = require('./build/Release/bluetooth_hci_socket.node');`;

const scratch = mkdtempSync(join(tmpdir(), 'ble-smp-hci-socket-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let projects = 0;

/**
 * A project directory with these packages in its node_modules (name to the
 * source of its index.js); resolves to its package.json, what
 * `requireHciSocketPackage` resolves from. Nothing above the scratch
 * directory has either package, so an absent one is not installed.
 */
function project(packages: Partial<Record<HciSocketPackageName, string>>): string {
  const root = join(scratch, `project-${projects++}`);
  for (const [name, source] of Object.entries(packages)) {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.0.0', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), source);
  }
  mkdirSync(root, { recursive: true });
  const manifest = join(root, 'package.json');
  writeFileSync(manifest, JSON.stringify({ name: 'app', version: '1.0.0' }));
  return manifest;
}

/** The error a call throws (or an async call rejects with), which must be a TransportError. */
async function failureOf(attempt: () => unknown): Promise<TransportError> {
  try {
    await attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('it loaded a package');
}

/** What every no-package error says, whatever the packages' states. */
function expectRecommendation(error: TransportError): void {
  expect(error.code).toBe('missing-module');
  expect(error.message).toContain(
    'Install the prebuilt one: `npm install @stoprocent/bluetooth-hci-socket` (prebuilt for Linux x64, arm and arm64, no compiler needed)',
  );
  expect(error.message).toContain(
    '@abandonware/bluetooth-hci-socket is compiled from source (it needs build-essential and python3)',
  );
}

describe('HCI_SOCKET_PACKAGES', () => {
  it('tries the prebuilt fork first, then the one compiled from source', () => {
    expect(HCI_SOCKET_PACKAGES).toEqual([STOPROCENT, ABANDONWARE]);
    expect(Object.isFrozen(HCI_SOCKET_PACKAGES)).toBe(true);
  });
});

describe('requireHciSocketPackage (real require, fake packages on disk)', () => {
  it("chooses @stoprocent/bluetooth-hci-socket when both load, and takes its loadDriver('native')", () => {
    const from = project({ [STOPROCENT]: STOPROCENT_SOURCE, [ABANDONWARE]: ABANDONWARE_SOURCE });
    const { name, BluetoothHciSocket } = requireHciSocketPackage(from);
    expect(name).toBe(STOPROCENT);
    expect((BluetoothHciSocket as unknown as { driver?: string }).driver).toBe('native');
  });

  it("takes the driver asked for: 'default' lets the package choose (UART or USB by its variables)", () => {
    const from = project({ [STOPROCENT]: STOPROCENT_SOURCE, [ABANDONWARE]: ABANDONWARE_SOURCE });
    const { BluetoothHciSocket } = requireHciSocketPackage(from, 'default');
    expect((BluetoothHciSocket as unknown as { driver?: string }).driver).toBe('default');
  });

  it('takes the export itself of a @stoprocent package without loadDriver', () => {
    const from = project({ [STOPROCENT]: ABANDONWARE_SOURCE });
    expect(requireHciSocketPackage(from)).toMatchObject({ name: STOPROCENT });
  });

  it('falls back to @abandonware/bluetooth-hci-socket when @stoprocent/bluetooth-hci-socket is not installed', () => {
    const from = project({ [ABANDONWARE]: ABANDONWARE_SOURCE });
    const { name, BluetoothHciSocket } = requireHciSocketPackage(from);
    expect(name).toBe(ABANDONWARE);
    expect((BluetoothHciSocket as unknown as { driver?: string }).driver).toBe('abandonware');
  });

  it('passes over a @stoprocent package that fails to load', () => {
    const from = project({ [STOPROCENT]: UNBUILT_SOURCE, [ABANDONWARE]: ABANDONWARE_SOURCE });
    expect(requireHciSocketPackage(from).name).toBe(ABANDONWARE);
  });

  it('names both packages and recommends the prebuilt one when neither is installed', async () => {
    const error = await failureOf(() => requireHciSocketPackage(project({})));
    expect(error.message).toMatch(
      /^ble-smp needs an HCI socket package, and none loaded: @stoprocent\/bluetooth-hci-socket is not installed; @abandonware\/bluetooth-hci-socket is not installed\. /,
    );
    expectRecommendation(error);
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors.map((e: NodeJS.ErrnoException) => e.code)).toEqual([
      'MODULE_NOT_FOUND',
      'MODULE_NOT_FOUND',
    ]);
  });

  it('says which package is installed but failed to load, with its error and how to build it', async () => {
    const error = await failureOf(() => requireHciSocketPackage(project({ [ABANDONWARE]: UNBUILT_SOURCE })));
    expect(error.message).toContain('@stoprocent/bluetooth-hci-socket is not installed;');
    expect(error.message).toContain(
      "@abandonware/bluetooth-hci-socket is installed but failed to load (Cannot find module './build/Release/bluetooth_hci_socket.node'; " +
        'its install script compiles its native part, with build-essential and python3 installed, and npm 11 runs it only once allowed: ' +
        '`npm install-scripts approve @abandonware/bluetooth-hci-socket`, then `npm rebuild @abandonware/bluetooth-hci-socket`)',
    );
    expect(error.message).not.toContain('Require stack');
    expectRecommendation(error);
  });

  it('reports both failures when both packages are installed and neither loads', async () => {
    const from = project({ [STOPROCENT]: UNBUILT_SOURCE, [ABANDONWARE]: UNBUILT_SOURCE });
    const error = await failureOf(() => requireHciSocketPackage(from));
    expect(error.message).toContain(
      "@stoprocent/bluetooth-hci-socket is installed but failed to load (Cannot find module './build/Release/bluetooth_hci_socket.node'; " +
        'its prebuilt binaries cover Linux x64, arm and arm64; elsewhere its install script compiles it',
    );
    expect(error.message).toContain('@abandonware/bluetooth-hci-socket is installed but failed to load');
  });

  it('counts a package that exports no socket class as failing to load', async () => {
    const error = await failureOf(() =>
      requireHciSocketPackage(project({ [ABANDONWARE]: 'module.exports = { version: 1 };' })),
    );
    expect(error.message).toContain(
      '@abandonware/bluetooth-hci-socket is installed but failed to load (it exports no BluetoothHciSocket class)',
    );
  });
});

describe('loadHciSocketPackage (injected loaders)', () => {
  class Native {}
  class Fallback {}
  /** The namespace import() makes of the `@stoprocent` package, recording the drivers asked for. */
  function stoprocentNamespace(asked: string[]) {
    const loadDriver = (type: string) => {
      asked.push(type);
      return Native;
    };
    return { default: Object.assign(class Default {}, { loadDriver }), loadDriver };
  }
  const notFound = (name: string) =>
    errnoError('ERR_MODULE_NOT_FOUND', `Cannot find package '${name}' imported from /app/index.js`, 'import');

  it('chooses @stoprocent/bluetooth-hci-socket when both load, without loading the other', async () => {
    const asked: string[] = [];
    let fallbackLoaded = false;
    const found = await loadHciSocketPackage({
      loaders: {
        [STOPROCENT]: async () => stoprocentNamespace(asked),
        [ABANDONWARE]: async () => {
          fallbackLoaded = true;
          return { default: Fallback };
        },
      },
    });
    expect(found).toEqual({ name: STOPROCENT, BluetoothHciSocket: Native });
    expect(asked).toEqual(['native']);
    expect(fallbackLoaded).toBe(false);
  });

  it('falls back to @abandonware/bluetooth-hci-socket when the other is not found', async () => {
    const found = await loadHciSocketPackage({
      loaders: {
        [STOPROCENT]: () => Promise.reject(notFound(STOPROCENT)),
        [ABANDONWARE]: async () => ({ default: Fallback }),
      },
    });
    expect(found).toEqual({ name: ABANDONWARE, BluetoothHciSocket: Fallback });
  });

  it('counts a package without a loader as not installed, and starts the message with the user', async () => {
    const broken = errnoError('ERR_DLOPEN_FAILED', 'libc.musl-x86_64.so.1: cannot open shared object file');
    const error = await failureOf(() =>
      loadHciSocketPackage({ user: 'hci1', loaders: { [STOPROCENT]: () => Promise.reject(broken) } }),
    );
    expect(error.message).toMatch(
      /^hci1 needs an HCI socket package, and none loaded: @stoprocent\/bluetooth-hci-socket is installed but failed to load \(libc\.musl-x86_64\.so\.1: cannot open shared object file; .*\); @abandonware\/bluetooth-hci-socket is not installed\. /,
    );
    expect(error.cause).toBe(broken);
    expectRecommendation(error);
  });

  const require = createRequire(import.meta.url);
  const loadsHere = (() => {
    try {
      require(STOPROCENT);
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!loadsHere)(
    `loads the real ${STOPROCENT} by import()${loadsHere ? '' : ` (skipped: ${STOPROCENT} does not load here, so the real import cannot pick it)`}`,
    async () => {
      const found = await loadHciSocketPackage();
      expect(found.name).toBe(STOPROCENT);
      expect(found.BluetoothHciSocket).toBe(require(STOPROCENT).loadDriver('native'));
    },
  );
});
