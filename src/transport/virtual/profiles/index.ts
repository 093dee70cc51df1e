/**
 * Controller profiles by name, and the lookup that turns a name into one.
 * @module
 */
import { csr8510 } from './csr8510.js';
import { intel51 } from './intel-5.1.js';
import { intelAx200 } from './intel-ax200.js';
import { intelAx210 } from './intel-ax210.js';
import { nrf52840Zephyr } from './nrf52840-zephyr.js';
import { pi3b } from './pi3b.js';
import { pi4 } from './pi4.js';
import { pi5 } from './pi5.js';
import { pi400 } from './pi400.js';
import type { ControllerProfile } from './profile.js';
import { rtl8761b } from './rtl8761b.js';
import { rtl8761bRom } from './rtl8761b-rom.js';

export type {
  BufferSize,
  ControllerProfile,
  Known,
  Quirk,
  QuirkPlay,
  Source,
  SourceKind,
  SupportedCommands,
  VersionInfo,
} from './profile.js';
export { known, unknown } from './profile.js';
export {
  csr8510,
  intel51,
  intelAx200,
  intelAx210,
  nrf52840Zephyr,
  pi3b,
  pi4,
  pi5,
  pi400,
  rtl8761b,
  rtl8761bRom,
};

/**
 * Every profile, keyed by its name.
 * @example
 * ```ts
 * Object.keys(CONTROLLER_PROFILES); // ['pi3b', 'pi4', 'pi400', 'pi5', 'intel-ax200', ...]
 * ```
 */
export const CONTROLLER_PROFILES: Readonly<Record<string, ControllerProfile>> = Object.freeze(
  Object.fromEntries(
    [
      pi3b,
      pi4,
      pi400,
      pi5,
      intelAx200,
      intelAx210,
      rtl8761b,
      rtl8761bRom,
      csr8510,
      nrf52840Zephyr,
      intel51,
    ].map((p) => [p.name, p]),
  ),
);

/**
 * The profile names, in the order they are listed.
 * @example
 * ```ts
 * controllerProfileNames().includes('csr8510'); // true
 * ```
 */
export function controllerProfileNames(): string[] {
  return Object.keys(CONTROLLER_PROFILES);
}

/**
 * Looks a profile up by name.
 * @throws RangeError naming the known profiles when the name is not one of them.
 * @example
 * ```ts
 * controllerProfile('pi4').version.manufacturer.value; // 305
 * controllerProfile('pi9'); // throws: unknown controller profile "pi9"; known: pi3b, pi4, ...
 * ```
 */
export function controllerProfile(name: string): ControllerProfile {
  const profile = Object.hasOwn(CONTROLLER_PROFILES, name) ? CONTROLLER_PROFILES[name] : undefined;
  if (profile === undefined) {
    throw new RangeError(
      `unknown controller profile ${JSON.stringify(name)}; known: ${controllerProfileNames().join(', ')}`,
    );
  }
  return profile;
}
