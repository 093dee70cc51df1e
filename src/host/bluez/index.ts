/**
 * Bonds to and from BlueZ, the Linux Bluetooth stack: its per-device `info`
 * files (docs/bonds.md has the mapping).
 * @module
 */
export {
  type BlueZFormatOptions,
  type BlueZParseOptions,
  blueZAddress,
  formatBlueZInfo,
  parseBlueZInfo,
} from './info-file.js';
export { type BlueZExportOptions, exportBlueZ, importBlueZ } from './storage.js';
