/**
 * Virtual LE controllers on an in-memory air, for tests and examples that need
 * no radio: see {@link VirtualAir}.
 * @module
 */
export { VirtualAir } from './air.js';
export {
  type VirtualConnectionInfo,
  VirtualController,
  type VirtualControllerOptions,
  VirtualHardwareCode,
} from './controller.js';
export {
  type BufferSize,
  CONTROLLER_PROFILES,
  type ControllerProfile,
  controllerProfile,
  controllerProfileNames,
  type Known,
  type Quirk,
  type QuirkPlay,
  type Source,
  type SourceKind,
  type SupportedCommands,
  type VersionInfo,
} from './profiles/index.js';
