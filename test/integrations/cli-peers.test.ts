/**
 * noble and bleno apps (each family, with ble-smp's adapters) against the
 * command line run as separate processes: `ble-smp controller --listen` holds
 * the air, the app's controller is one of its clients (the stand-in HCI
 * socket on a TCP transport), and `ble-smp serve` or `ble-smp pair` is the
 * peer. Each pairs by LE Secure Connections Numeric Comparison, both sides
 * keep the same LTK, and a second connection re-encrypts from the bonds with
 * no second pairing on the wire.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.js';
import { secureBleno } from '../../src/integrations/bleno/index.js';
import {
  type SecureHci,
  type SecureLibraryOptions,
  secureNoble,
} from '../../src/integrations/noble/index.js';
import {
  addHciDevice,
  removeHciDevices,
  TransportHciSocket,
} from '../../src/integrations/shared/transport-socket.js';
import { IoCapability } from '../../src/smp/constants.js';
import { acceptAll } from '../../src/smp/delegate.js';
import { auditTrace, readTrace } from '../../src/trace/index.js';
import { openTransport } from '../../src/transport/open.js';
import { cliProcesses } from '../cli/cli-processes.js';
import { scratchDir } from '../scratch.js';
import { type Bleno, FAMILIES, freshNoble, freshRequire, type NoblePeripheral, until } from './harness.js';

const { start } = cliProcesses('cli-build-peers');
const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
  delete process.env.HCI_CHANNEL_USER;
});

/** SMP opcodes (Vol 3 Part H 3.3). */
const PAIRING_REQUEST = 0x01;
const SECURITY_REQUEST = 0x0b;

/** A `ble-smp controller --listen` process; resolves to its tcp: address. */
async function controllerProcess(): Promise<string> {
  const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
  closing.push(async () => {
    controller.child.kill('SIGINT');
    await controller.exited;
  });
  const { listen } = await controller.next('ready');
  return String(listen);
}

/**
 * The app's controller: a client of the controller process (over tcp:HOST:PORT), made hci0 for the stand-in
 * HCI sockets, so noble or bleno run here on that process's air.
 */
async function appController(hci: string): Promise<void> {
  const transport = await openTransport(hci);
  closing.push(() => transport.close());
  removeHciDevices();
  addHciDevice(transport);
}

/**
 * The app's side: its controller on a new controller process, and the adapter (`secureNoble` or
 * `secureBleno` for `pkg`) as DisplayYesNo with MITM, its delegate confirming the numbers (kept in `shown`).
 */
async function appSide(adapter: (options: SecureLibraryOptions) => SecureHci, pkg: string) {
  const hci = await controllerProcess();
  await appController(hci);
  const shown: number[] = [];
  const secure = adapter({
    socket: () => new TransportHciSocket(),
    package: pkg,
    policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
    delegate: {
      ...acceptAll,
      confirmNumber: (_peer, value) => {
        shown.push(value);
        return true;
      },
    },
  });
  const errors: Error[] = [];
  secure.on('error', (_handle, _peer, error) => errors.push(error));
  return { hci, secure, shown, errors };
}

/**
 * The one bond each side keeps holds the same LTK: the adapter's, and the bond file's as
 * `ble-smp bonds list --show-keys --json` prints it (an SC LTK serves both roles: one key, `ltk`).
 * Returns it, wire-order hex.
 */
async function sameLtk(secure: SecureHci, file: string): Promise<string> {
  const [bondHere, ...more] = secure.security.bonds.list();
  expect(more).toEqual([]);
  const ltk = toHex(bondHere!.peerLtk!.ltk);
  expect(toHex(bondHere!.localLtk!.ltk)).toBe(ltk);
  const listing = start(['bonds', 'list', '--show-keys', '--json', '--bonds', file]);
  const [bondThere, ...others] = await listing.rest();
  expect(await listing.exited, listing.stderr()).toBe(0);
  expect(others).toEqual([]);
  expect(bondThere).toMatchObject({ ltk, keys: expect.arrayContaining(['ltk']) });
  return ltk;
}

/**
 * The LTKs a host gave its controller in a capture, wire-order hex: a peripheral
 * in LE Long Term Key Request Replies (HCI 0x201A), a central in LE Enable Encryption (0x2019).
 */
function ltksGiven(trace: Uint8Array): string[] {
  return readTrace(trace).records.flatMap((record) => {
    if (record.kind !== 'hci' || record.packet.type !== 'command') return [];
    const { data } = record.packet;
    const opcode = (data[0] ?? 0) | ((data[1] ?? 0) << 8);
    if (opcode === 0x201a) return [toHex(data.subarray(5, 21))];
    if (opcode === 0x2019) return [toHex(data.subarray(15, 31))];
    return [];
  });
}

/** The SMP opcodes the host sent (tx) or received (rx) in a capture, in order. */
function smpOpcodes(trace: Uint8Array, direction: 'tx' | 'rx'): number[] {
  return readTrace(trace).records.flatMap((record) => {
    if (record.kind !== 'hci' || record.packet.type !== 'acl' || record.direction !== direction) return [];
    const { data } = record.packet;
    // ACL header (4), then L2CAP: length (2), channel (2); SMP is channel 0x0006. A start fragment carries them.
    const start = ((data[1] ?? 0) & 0x30) !== 0x10;
    return start && data[6] === 0x06 && data[7] === 0x00 && data.length > 8 ? [data[8]!] : [];
  });
}

describe.each(FAMILIES)('%s/noble with secureNoble, against `ble-smp serve` in its own process', (family) => {
  it('pairs by SC Numeric Comparison when serve asks, keeps the same LTK, and re-encrypts from the bonds', async () => {
    const { hci, secure, shown, errors } = await appSide(secureNoble, `${family}/noble`);
    const noble = freshNoble(family);
    await until(noble, 'stateChange', (state) => state === 'poweredOn');

    const dir = scratchDir('ble-smp-cli-peers-');
    const bonds = join(dir, 'serve.json');
    const serve = (trace: string) =>
      start([
        'serve',
        ...['--hci', hci, '--json', '--once', '--address', 'c6:00:00:00:00:01', '--bonds', bonds],
        ...['--mitm', '--io-cap', 'display-yes-no', '--confirm', 'yes', '--trace', join(dir, trace)],
      ]);
    const connect = async () => {
      const found = until<[NoblePeripheral]>(noble, 'discover');
      noble.startScanning([], false);
      const [peripheral] = await found;
      noble.stopScanning();
      await new Promise<void>((resolve, reject) => peripheral.connect((e) => (e ? reject(e) : resolve())));
      return peripheral;
    };

    // First connection: serve sends a Security Request; the adapter pairs.
    const first = serve('first.btsnoop');
    await first.next('ready');
    const paired = until<
      [number, unknown, { secureConnections: boolean; model: string; authenticated: boolean }]
    >(secure, 'paired');
    const peripheral = await connect();
    const [servePaired, [, , result]] = await Promise.all([first.next('paired'), paired]);
    expect(servePaired).toMatchObject({
      method: 'sc',
      model: 'numeric-comparison',
      authenticated: true,
      bonded: true,
    });
    expect(result).toMatchObject({
      secureConnections: true,
      model: 'numeric-comparison',
      authenticated: true,
    });
    const prompt = first.lines.find((line) => line.type === 'prompt');
    expect(prompt).toMatchObject({ kind: 'confirm-number' });
    expect(shown).toEqual([prompt!.value]);
    await new Promise<void>((resolve) => peripheral.disconnect(() => resolve()));
    expect(await first.exited, first.stderr()).toBe(0);

    const ltk = await sameLtk(secure, bonds);
    // serve asked (Security Request) before noble's side sent its Pairing Request.
    const firstTrace = readFileSync(join(dir, 'first.btsnoop'));
    expect(smpOpcodes(firstTrace, 'tx')[0]).toBe(SECURITY_REQUEST);
    expect(smpOpcodes(firstTrace, 'rx')[0]).toBe(PAIRING_REQUEST);
    const pairing = auditTrace(firstTrace).pairings;
    expect(pairing.map((p) => [p.method, p.model, p.outcome])).toEqual([
      ['secure-connections', 'numeric-comparison', 'completed'],
    ]);

    // Second connection: serve asks again; the adapter encrypts with the bond, serve answers from its own.
    const second = serve('second.btsnoop');
    await second.next('ready');
    const encrypted = until<[number, unknown, boolean]>(secure, 'encrypted');
    const again = await connect();
    const [serveEncrypted, [, , fromBond]] = await Promise.all([second.next('encrypted'), encrypted]);
    expect(serveEncrypted).toMatchObject({ bonded: true, method: 'sc', authenticated: true, keySize: 16 });
    expect(fromBond).toBe(true);
    await new Promise<void>((resolve) => again.disconnect(() => resolve()));
    expect(await second.exited, second.stderr()).toBe(0);
    const trace = readFileSync(join(dir, 'second.btsnoop'));
    // Asked again, noble's side encrypted with the bond: no SMP from it at all, and serve's key is the one kept.
    expect(smpOpcodes(trace, 'tx')).toEqual([SECURITY_REQUEST]);
    expect(smpOpcodes(trace, 'rx')).toEqual([]);
    expect(auditTrace(trace).pairings).toEqual([]);
    expect(ltksGiven(trace)).toEqual([ltk]);
    expect(errors).toEqual([]);
  }, 30_000);
});

interface BlenoWithGatt extends Bleno {
  address: string;
  Characteristic: new (options: Record<string, unknown>) => unknown;
  PrimaryService: new (options: { uuid: string; characteristics: unknown[] }) => unknown;
  setServices(services: unknown[], callback: (error?: Error | null) => void): void;
}

const SERVICE = '5e0a0000b1e5400c8a2b3c4d5e6f7a8b';
const CHARACTERISTIC = '5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b';

describe.each(FAMILIES)('%s/bleno with secureBleno, against `ble-smp pair` in its own process', (family) => {
  it('refuses the read before pairing (0x05), pairs by SC Numeric Comparison, keeps the same LTK, and re-encrypts from the bonds', async () => {
    const { hci, secure, shown, errors } = await appSide(secureBleno, `${family}/bleno`);
    const bleno = freshRequire<BlenoWithGatt>(`${family}/bleno`);
    await until(bleno, 'stateChange', (state) => state === 'poweredOn');
    expect(bleno.address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const value = randomBytes(8);
    const characteristic = new bleno.Characteristic({
      uuid: CHARACTERISTIC.replaceAll('-', ''),
      properties: ['read'],
      secure: ['read'],
      value,
    });
    const service = new bleno.PrimaryService({ uuid: SERVICE, characteristics: [characteristic] });
    await new Promise<void>((resolve, reject) =>
      bleno.setServices([service], (error) => (error ? reject(error) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      bleno.startAdvertising('secure', [SERVICE], (error) => (error ? reject(error) : resolve())),
    );
    closing.push(async () => {
      bleno.stopAdvertising();
      bleno.disconnect();
    });

    const dir = scratchDir('ble-smp-cli-peers-');
    const bonds = join(dir, 'pair.json');
    const pair = (read: string, trace: string) =>
      start([
        'pair',
        ...['--hci', hci, '--json', '--peer', `${bleno.address}/public`, '--address', 'c6:00:00:00:00:02'],
        ...['--bonds', bonds, '--mitm', '--io-cap', 'display-yes-no', '--confirm', 'yes'],
        ...['--read', read, '--trace', join(dir, trace)],
      ]);

    // First connection: the read by UUID is refused, pair pairs, and the read is answered.
    const paired = until(secure, 'paired');
    const first = pair(CHARACTERISTIC, 'first.btsnoop');
    const refused = await first.next('read');
    expect(refused).toMatchObject({
      uuid: CHARACTERISTIC,
      error: 0x05,
      errorName: 'insufficient-authentication',
    });
    expect(await first.next('paired')).toMatchObject({
      method: 'sc',
      model: 'numeric-comparison',
      authenticated: true,
      bonded: true,
    });
    const answered = await first.next('read');
    expect(answered).toMatchObject({ uuid: CHARACTERISTIC, value: value.toString('hex') });
    expect(answered.handle).toEqual(expect.any(Number));
    expect(await first.exited, first.stderr()).toBe(0);
    await paired;
    const prompt = first.lines.find((line) => line.type === 'prompt');
    expect(prompt).toMatchObject({ kind: 'confirm-number' });
    expect(shown).toEqual([prompt!.value]);

    const ltk = await sameLtk(secure, bonds);
    const firstTrace = readFileSync(join(dir, 'first.btsnoop'));
    expect(smpOpcodes(firstTrace, 'tx')[0]).toBe(PAIRING_REQUEST);
    expect(auditTrace(firstTrace).pairings.map((p) => [p.method, p.model, p.outcome])).toEqual([
      ['secure-connections', 'numeric-comparison', 'completed'],
    ]);

    // Second connection (bleno advertises again by itself): the value's handle, read by a Read Request, is
    // refused until pair encrypts with the bond; then it is read.
    const handle = `0x${Number(answered.handle).toString(16).padStart(4, '0')}`;
    const encrypted = until<[number, unknown, boolean]>(secure, 'encrypted');
    const second = pair(handle, 'second.btsnoop');
    expect(await second.next('read')).toMatchObject({ handle: answered.handle, error: 0x05 });
    expect(await second.next('encrypted')).toMatchObject({ bonded: true, method: 'sc', authenticated: true });
    expect(await second.next('read')).toEqual({
      type: 'read',
      handle: answered.handle,
      value: value.toString('hex'),
    });
    expect(await second.exited, second.stderr()).toBe(0);
    const [, , fromBond] = await encrypted;
    expect(fromBond).toBe(true);
    const trace = readFileSync(join(dir, 'second.btsnoop'));
    expect(smpOpcodes(trace, 'tx')).toEqual([]);
    expect(smpOpcodes(trace, 'rx')).toEqual([]);
    expect(auditTrace(trace).pairings).toEqual([]);
    expect(ltksGiven(trace)).toEqual([ltk]);
    expect(errors).toEqual([]);
  }, 30_000);
});
