/**
 * The transport string: one short text that says where the HCI controller is,
 * for command lines, environment variables and config files.
 * @module
 */
import { isIPv6 } from 'node:net';
import { TransportError } from './transport.js';

/** The Linux HCI user channel of adapter `hci<devId>` (exclusive access, no bluetoothd). */
export interface HciSocketDescriptor {
  readonly type: 'hci-socket';
  readonly devId: number;
}
/** H4 over a TCP connection, e.g. to a Zephyr or Bumble controller bridge. `host` has no brackets. */
export interface TcpDescriptor {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
}
/** H4 over a Unix domain socket. */
export interface UnixDescriptor {
  readonly type: 'unix';
  readonly path: string;
}
/** H4 over a UART, e.g. an nRF52 running Zephyr's hci_uart. */
export interface SerialDescriptor {
  readonly type: 'serial';
  readonly path: string;
  readonly baudRate: number;
}
/** The in-process virtual controller. */
export interface VirtualDescriptor {
  readonly type: 'virtual';
}
/** Where HCI is: the parsed form of a transport string. */
export type TransportDescriptor =
  | HciSocketDescriptor
  | TcpDescriptor
  | UnixDescriptor
  | SerialDescriptor
  | VirtualDescriptor;

/**
 * The baud rate of `serial:PATH` without `@BAUD`: the usual rate of H4 UART
 * controllers (Zephyr hci_uart, many HCI dongles).
 * @example
 * ```ts
 * parseTransport('serial:/dev/ttyACM0'); // { type: 'serial', path: '/dev/ttyACM0', baudRate: DEFAULT_BAUD_RATE }
 * ```
 */
export const DEFAULT_BAUD_RATE = 1_000_000;

/**
 * The accepted forms of a transport string, one line each, for help texts and error messages.
 * @example
 * ```ts
 * console.log(`--transport is one of:\n  ${TRANSPORT_FORMS.join('\n  ')}`);
 * ```
 */
export const TRANSPORT_FORMS: readonly string[] = Object.freeze([
  'hci0                Linux HCI user channel of adapter hci0 (any hciN)',
  'tcp:HOST:PORT       H4 over TCP; an IPv6 host goes in brackets: tcp:[::1]:9000',
  'unix:PATH           H4 over a Unix domain socket',
  `serial:PATH[@BAUD]  H4 over a UART, e.g. serial:/dev/ttyACM0@1000000 (default ${DEFAULT_BAUD_RATE} baud)`,
  'virtual             the in-process virtual controller',
]);

/** The largest adapter index: 0xFFFF is HCI_DEV_NONE. */
const MAX_DEV_ID = 0xfffe;
const HOST_NAME = /^[A-Za-z0-9._-]+$/;
const KNOWN_SCHEMES: ReadonlySet<string> = new Set(['tcp', 'unix', 'serial']);

function bad(spec: unknown, problem: string): TransportError {
  const shown = typeof spec === 'string' ? JSON.stringify(spec) : String(spec);
  return new TransportError(
    'bad-address',
    `bad transport ${shown}: ${problem}. Use one of:\n  ${TRANSPORT_FORMS.join('\n  ')}`,
  );
}

/** A decimal integer in [min, max], with no sign, spaces or leading zeros. */
function decimal(text: string, min: number, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function parseTcp(spec: string, rest: string): TcpDescriptor {
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw bad(spec, 'the IPv6 address has no closing bracket');
    host = rest.slice(1, close);
    if (!isIPv6(host)) throw bad(spec, `${JSON.stringify(host)} in brackets is not an IPv6 address`);
    if (rest[close + 1] !== ':')
      throw bad(spec, 'a port must follow the bracketed address, as in tcp:[::1]:9000');
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw bad(spec, 'tcp needs a host and a port, as in tcp:127.0.0.1:9000');
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) throw bad(spec, 'an IPv6 address must be in brackets, as in tcp:[::1]:9000');
    if (!host) throw bad(spec, 'the host is empty');
    if (!HOST_NAME.test(host)) throw bad(spec, `${JSON.stringify(host)} is not a host name or address`);
  }
  const port = decimal(portText, 1, 65535);
  if (port === undefined) throw bad(spec, `the port ${JSON.stringify(portText)} is not a number in 1..65535`);
  return { type: 'tcp', host, port };
}

function parseSerial(spec: string, rest: string): SerialDescriptor {
  const at = rest.lastIndexOf('@');
  const path = at < 0 ? rest : rest.slice(0, at);
  if (!path) throw bad(spec, 'the serial device path is empty');
  if (at < 0) return { type: 'serial', path, baudRate: DEFAULT_BAUD_RATE };
  const baudText = rest.slice(at + 1);
  const baudRate = decimal(baudText, 1, 0x7fffffff);
  if (baudRate === undefined) {
    throw bad(spec, `the baud rate ${JSON.stringify(baudText)} after @ is not a positive integer`);
  }
  return { type: 'serial', path, baudRate };
}

/**
 * Reads a transport string. The forms are {@link TRANSPORT_FORMS}: `hciN`,
 * `tcp:HOST:PORT`, `unix:PATH`, `serial:PATH[@BAUD]` and `virtual`. A serial
 * path that itself contains `@` needs an explicit `@BAUD`. Throws a
 * {@link TransportError} with code `bad-address`, listing the forms, for
 * anything else.
 * @example
 * ```ts
 * parseTransport('hci1');                   // { type: 'hci-socket', devId: 1 }
 * parseTransport('tcp:[::1]:9000');         // { type: 'tcp', host: '::1', port: 9000 }
 * parseTransport('serial:/dev/ttyUSB0@115200'); // { type: 'serial', path: '/dev/ttyUSB0', baudRate: 115200 }
 * ```
 */
export function parseTransport(spec: string): TransportDescriptor {
  if (typeof spec !== 'string') throw bad(spec, 'it is not a string');
  if (spec === '') throw bad(spec, 'it is empty');
  if (spec !== spec.trim()) throw bad(spec, 'it has spaces around it');
  if (spec === 'virtual') return { type: 'virtual' };
  if (spec.startsWith('hci')) {
    const devId = decimal(spec.slice(3), 0, MAX_DEV_ID);
    if (devId === undefined) throw bad(spec, `hciN takes an adapter index N in 0..${MAX_DEV_ID}, as in hci0`);
    return { type: 'hci-socket', devId };
  }
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? undefined : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (scheme !== undefined && KNOWN_SCHEMES.has(scheme) && rest.startsWith('//')) {
    throw bad(spec, `write ${scheme}:... with no //`);
  }
  switch (scheme) {
    case 'tcp':
      return parseTcp(spec, rest);
    case 'unix':
      if (!rest) throw bad(spec, 'the socket path is empty');
      return { type: 'unix', path: rest };
    case 'serial':
      return parseSerial(spec, rest);
    default:
      throw bad(spec, `${JSON.stringify(scheme ?? spec)} is no known transport`);
  }
}

/**
 * The canonical transport string of a descriptor; `parseTransport` reads it back unchanged.
 * @example
 * ```ts
 * formatTransport({ type: 'tcp', host: '::1', port: 9000 }); // 'tcp:[::1]:9000'
 * formatTransport(parseTransport('serial:/dev/ttyACM0'));   // 'serial:/dev/ttyACM0@1000000'
 * ```
 */
export function formatTransport(descriptor: TransportDescriptor): string {
  switch (descriptor.type) {
    case 'hci-socket':
      return `hci${descriptor.devId}`;
    case 'tcp':
      return `tcp:${descriptor.host.includes(':') ? `[${descriptor.host}]` : descriptor.host}:${descriptor.port}`;
    case 'unix':
      return `unix:${descriptor.path}`;
    case 'serial':
      return `serial:${descriptor.path}@${descriptor.baudRate}`;
    case 'virtual':
      return 'virtual';
  }
}
