/**
 * Puts a {@link SecureHci} in place of noble's or bleno's HCI socket, after
 * checking that the installed library is a version the adapter is tested
 * with. Both families are served: `@stoprocent/*` (noble 2.x, bleno 0.12,
 * their socket `@stoprocent/bluetooth-hci-socket`) and `@abandonware/*`
 * (noble 1.9.2, bleno 0.6, `@abandonware/bluetooth-hci-socket`).
 * @module
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SecurityOptions } from '../../host/security-types.js';
import { requireHciSocketPackage } from '../../transport/hci-socket-package.js';
import { provideHciSocket, withoutProvidedSocket } from './require-hook.js';
import { type EncryptionReports, SecureHci } from './secure-hci.js';
import type { HciSocketClass, HciSocketLike } from './socket-api.js';

/** Options of `secureNoble` and `secureBleno`: the Security Manager's, and where the HCI socket comes from. */
export interface SecureLibraryOptions extends SecurityOptions {
  /** A file or directory the library is resolved from (default the working directory). */
  readonly from?: string;
  /**
   * The package the app uses, e.g. `'@stoprocent/noble'`; default every
   * package of the family that is installed (each must be a tested version).
   */
  readonly package?: string;
  /**
   * Makes the socket underneath (default the native one:
   * `@stoprocent/bluetooth-hci-socket`, else `@abandonware/bluetooth-hci-socket`).
   */
  readonly socket?: () => HciSocketLike;
  /**
   * Use the HCI user channel (sets `HCI_CHANNEL_USER`; default true). On a raw
   * socket the kernel runs its own SMP beside ours.
   */
  readonly userChannel?: boolean;
  /** Run with a library version the adapter is not tested with (default false: throw). */
  readonly allowUntestedVersion?: boolean;
}

/** One package of a library family, with the versions the adapter is tested with (`2.8.x`: any 2.8 patch). */
export interface SecuredPackage {
  readonly name: string;
  readonly tested: readonly string[];
}

/** A library the adapter knows: its packages, and how it takes Encryption Change. */
export interface SecuredLibrary {
  readonly packages: readonly SecuredPackage[];
  readonly encryptionReports: EncryptionReports;
}

/**
 * Whether `version` is one of `tested` (`x` as the last part matches any patch release, not a prerelease).
 * @example
 * ```ts
 * isTestedVersion('2.8.3', ['2.8.x']); // true
 * isTestedVersion('1.9.2-25', ['1.9.2-26']); // false
 * ```
 */
export function isTestedVersion(version: string, tested: readonly string[]): boolean {
  return tested.some((pattern) =>
    pattern.endsWith('.x')
      ? version.startsWith(pattern.slice(0, -1)) && !version.includes('-')
      : pattern === version,
  );
}

/** The installed packages of the library (each with its version), checked against the tested versions. */
function checkedPackages(
  library: SecuredLibrary,
  options: SecureLibraryOptions,
  from: string,
): { name: string; version: string; manifest: string }[] {
  const require = createRequire(from);
  const wanted = options.package
    ? library.packages.filter((p) => p.name === options.package)
    : library.packages;
  if (wanted.length === 0) {
    throw new Error(
      `ble-smp: ${options.package} is not a package this adapter serves (${library.packages.map((p) => p.name).join(', ')})`,
    );
  }
  const installed = wanted.flatMap((p) => {
    try {
      const manifest = require.resolve(`${p.name}/package.json`);
      const version = (require(manifest) as { version?: string }).version ?? 'unknown';
      return [{ name: p.name, version, manifest, tested: p.tested }];
    } catch {
      return [];
    }
  });
  if (installed.length === 0) {
    throw new Error(
      `ble-smp: none of ${wanted.map((p) => p.name).join(', ')} is installed (resolved from ${from}); ` +
        `install one: npm install ${wanted[0]!.name}`,
    );
  }
  for (const p of installed) {
    if (!isTestedVersion(p.version, p.tested) && !options.allowUntestedVersion) {
      throw new Error(
        `ble-smp: ${p.name} ${p.version} is not a version the adapter is tested with (${p.tested.join(', ')}); ` +
          'install one of those, or pass allowUntestedVersion: true at your own risk',
      );
    }
  }
  return installed;
}

/**
 * Checks the library's version and installs the adapter's socket; call before
 * the library is first required.
 * @throws Error when the library is missing or its version is not tested.
 * @example
 * ```ts
 * const secure = installSecureHci(
 *   { packages: [{ name: '@stoprocent/noble', tested: ['2.8.x'] }], encryptionReports: 'when-asked' },
 *   { delegate },
 * );
 * ```
 */
export function installSecureHci(library: SecuredLibrary, options: SecureLibraryOptions = {}): SecureHci {
  const from = options.from ?? join(process.cwd(), 'package.json');
  const installed = checkedPackages(library, options, from);
  if (options.userChannel ?? true) process.env.HCI_CHANNEL_USER = '1';
  const open =
    options.socket ??
    (() => {
      // The socket package's own driver choice, as the library would make it (UART or USB by its variables).
      const { BluetoothHciSocket } = withoutProvidedSocket(() =>
        requireHciSocketPackage(installed[0]!.manifest, 'default'),
      );
      return new (BluetoothHciSocket as HciSocketClass)();
    });
  const secure = new SecureHci(open, options, library.encryptionReports);
  provideHciSocket(secure.socketClass);
  return secure;
}
