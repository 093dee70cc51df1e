/**
 * The host layer: {@link Host}, {@link Connection}, the HCI command channel,
 * the Security Manager and bond stores (in memory, in a JSON file, and to and
 * from BlueZ's storage).
 * @example
 * ```ts
 * import { Host } from './host/index.js';
 * const host = await Host.open(transport);
 * ```
 * @module
 */

export type { ConnectionParameters } from '../hci/le-signalling.js';
export { type AdStructure, adStructures, type LocalName, localName } from './ad-structures.js';
export { type Advertisement, advertisementOf } from './advertisement.js';
export {
  type Advertiser,
  type AdvertiserChange,
  AdvertiserTable,
  type AdvertiserTableOptions,
  type AdvertiserUpdate,
} from './advertisers.js';
export {
  type BlueZExportOptions,
  type BlueZFormatOptions,
  type BlueZParseOptions,
  blueZAddress,
  exportBlueZ,
  formatBlueZInfo,
  importBlueZ,
  parseBlueZInfo,
} from './bluez/index.js';
export { BOND_SCHEMA_VERSION } from './bond-codec.js';
export {
  type Bond,
  type BondKey,
  type BondStore,
  MemoryBondStore,
  peerKey,
  type SigningKey,
} from './bond-store.js';
export { BondStoreError, type BondStoreErrorCode } from './bond-store-error.js';
export {
  CommandChannel,
  type CommandChannelOptions,
  commandSpecName,
  HciCommandError,
  HciTimeoutError,
  systemTimers,
  type Timers,
  UnsupportedCommandError,
} from './command-channel.js';
export { Connection, ConnectionError, type ConnectionEvents } from './connection.js';
export {
  type ControllerInfo,
  coreVersion,
  describeController,
  readControllerInfo,
  type SendCommand,
  supportsCommand,
} from './controller-info.js';
export { type ControllerProblem, knownControllerProblems } from './controller-problems.js';
export { Emitter, type EventMap } from './emitter.js';
export { defaultBondStorePath, FileBondStore, type FileBondStoreOptions } from './file-bond-store.js';
export { Host } from './host.js';
export type {
  AdvertisingOptions,
  ConnectOptions,
  HostEvents,
  HostOptions,
  OwnAddress,
  ScanOptions,
} from './host-options.js';
export { parseAddress } from './parse-address.js';
export {
  isIdentityAddress,
  isResolvablePrivateAddress,
  makeResolvablePrivateAddress,
  resolvesTo,
} from './privacy.js';
export { type FindOptions, type ScanHost, Scanner, type ScannerEvents } from './scanner.js';
export { describeSmpReason, EncryptionError, PairingError } from './security-errors.js';
export { SecurityManager } from './security-manager.js';
export type {
  PairOptions,
  PeerOobData,
  ScOobData,
  SecureOptions,
  SecurityEvent,
  SecurityHost,
  SecurityLink,
  SecurityOptions,
  SecurityOutcome,
} from './security-types.js';
export { type StoreIdentity, storeIdentity } from './store-identity.js';
