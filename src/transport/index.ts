/**
 * HCI transports: where the controller is, as a transport string, and the
 * link to it. `openTransport('hci0')`, `openTransport('tcp:127.0.0.1:9000')`.
 * @module
 */
export { H4Transport } from './base.js';
export { type HciSocketLike, type HciSocketOptions, openHciSocketTransport } from './hci-socket.js';
export { type OpenTransportOptions, openTransport } from './open.js';
export type { ModuleLoader } from './optional.js';
export {
  DEFAULT_BAUD_RATE,
  formatTransport,
  type HciSocketDescriptor,
  parseTransport,
  type SerialDescriptor,
  type TcpDescriptor,
  TRANSPORT_FORMS,
  type TransportDescriptor,
  type UnixDescriptor,
  type VirtualDescriptor,
} from './parse.js';
export {
  openSerialTransport,
  type SerialOptions,
  type SerialPortLike,
  type SerialPortOpenOptions,
} from './serial.js';
export {
  openSocketTransport,
  type SocketTransportOptions,
  StreamTransport,
  type StreamTransportOptions,
} from './stream.js';
export {
  type CloseListener,
  type PacketListener,
  type Transport,
  TransportError,
  type TransportErrorCode,
} from './transport.js';
