/**
 * `--profile NAME`: the real controller a virtual one plays (see
 * src/transport/virtual/profiles and docs/controllers.md).
 * @module
 */
import { controllerProfile, controllerProfileNames } from '../transport/virtual/profiles/index.js';
import type { ControllerProfile } from '../transport/virtual/profiles/profile.js';
import { UsageError } from './io.js';

/** The usage line of the option, naming the profiles. */
export const PROFILE_OPTION_USAGE = `  --profile NAME play a real controller: ${controllerProfileNames().join(', ')}
                 (docs/controllers.md)`;

/**
 * The profile `--profile` names, or undefined without the option; a UsageError naming the known ones otherwise.
 * @example
 * ```ts
 * const profile = profileOption(values.profile); // controllerProfile('pi4') for --profile pi4
 * ```
 */
export function profileOption(name: string | undefined): ControllerProfile | undefined {
  if (name === undefined) return undefined;
  try {
    return controllerProfile(name);
  } catch (error) {
    throw new UsageError(`--profile: ${(error as Error).message}`);
  }
}
