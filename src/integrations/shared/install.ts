/**
 * Puts a {@link SecureHci} in place of noble's or bleno's HCI socket, after
 * checking that the installed library is a version the adapter is tested with.
 * @module
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SecurityOptions } from '../../host/security-types.js';
import { loadNativeHciSocket, provideHciSocket } from './require-hook.js';
import { SecureHci } from './secure-hci.js';
import type { HciSocketClass, HciSocketLike } from './socket-api.js';

/** Options of `secureNoble` and `secureBleno`: the Security Manager's, and where the HCI socket comes from. */
export interface SecureLibraryOptions extends SecurityOptions {
  /** A file or directory the library is resolved from (default the working directory). */
  readonly from?: string;
  /** Makes the socket underneath (default the native `@abandonware/bluetooth-hci-socket`'s). */
  readonly socket?: () => HciSocketLike;
  /**
   * Use the HCI user channel (sets `HCI_CHANNEL_USER`; default true). On a raw
   * socket the kernel runs its own SMP beside ours.
   */
  readonly userChannel?: boolean;
  /** Run with a library version the adapter is not tested with (default false: throw). */
  readonly allowUntestedVersion?: boolean;
}

/** A library the adapter knows. */
export interface SecuredLibrary {
  readonly name: string;
  readonly tested: readonly string[];
}

/**
 * Checks the library's version and installs the adapter's socket; call before
 * the library is first required.
 * @throws Error when the library is missing or its version is not tested.
 * @example
 * ```ts
 * const secure = installSecureHci({ name: '@abandonware/noble', tested: ['1.9.2-26'] }, { delegate });
 * ```
 */
export function installSecureHci(library: SecuredLibrary, options: SecureLibraryOptions = {}): SecureHci {
  const from = options.from ?? join(process.cwd(), 'package.json');
  const require = createRequire(from);
  const manifest = require.resolve(`${library.name}/package.json`);
  const version = (require(manifest) as { version?: string }).version ?? 'unknown';
  if (!library.tested.includes(version) && !options.allowUntestedVersion) {
    throw new Error(
      `ble-smp: ${library.name} ${version} is not a version the adapter is tested with (${library.tested.join(', ')}); ` +
        'install one of those, or pass allowUntestedVersion: true at your own risk',
    );
  }
  if (options.userChannel ?? true) process.env.HCI_CHANNEL_USER = '1';
  const open =
    options.socket ??
    (() => {
      const Native = loadNativeHciSocket(manifest) as HciSocketClass;
      return new Native();
    });
  const secure = new SecureHci(open, options);
  provideHciSocket(secure.socketClass);
  return secure;
}
