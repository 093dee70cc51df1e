/**
 * The noble and bleno examples of one package family over the virtual
 * controller, each against a ble-smp host, through the stand-in HCI socket.
 * Each family runs in a test file of its own (noble and bleno keep their
 * socket from their first import): examples-noble-bleno-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SecurePeripheral } from '../examples/bleno-secure-peripheral.js';
import type { SecuredPeripheral } from '../examples/noble-secure-pairing.js';
import type { HciPacket } from '../src/hci/h4.js';
import { FixedChannel } from '../src/hci/l2cap.js';
import { type BondStore, MemoryBondStore } from '../src/host/bond-store.js';
import type { Connection } from '../src/host/connection.js';
import type { HciSocketLike } from '../src/integrations/shared/socket-api.js';
import { TransportHciSocket } from '../src/integrations/shared/transport-socket.js';
import { IoCapability } from '../src/smp/constants.js';
import { acceptAll, formatAddress } from '../src/smp/index.js';
import type { Transport } from '../src/transport/transport.js';
import { VirtualAir } from '../src/transport/virtual/air.js';
import {
  capturedHost,
  closedAfterEach,
  encryptionRequired,
  HOST_ADDRESS,
  LIBRARY_ADDRESS,
  libraryController,
  until,
} from './integrations/harness.js';

/** Our side's delegate: confirms every number and remembers it. */
function confirming(seen: number[]) {
  return { ...acceptAll, confirmNumber: (_peer: unknown, value: number) => seen.push(value) > 0 };
}

/** SMP key distribution (Encryption Information to Signing Information, codes 0x06 to 0x0a) in an ACL packet. */
function isKeyDistribution(packet: HciPacket): boolean {
  const { data } = packet;
  const code = data[8] ?? 0;
  return packet.type === 'acl' && data[6] === 0x06 && data[7] === 0x00 && code >= 0x06 && code <= 0x0a;
}

/**
 * The library's controller, handing its host the keys our side distributes `ms` late (in order):
 * noble's retried discovery then completes over the encrypted link before the pairing does.
 */
function keysLate(air: VirtualAir, ms: number): Transport {
  const controller = air.createController({ address: LIBRARY_ADDRESS });
  return {
    send: (packet) => controller.send(packet),
    onPacket: (listener) =>
      controller.onPacket((packet) => {
        if (isKeyDistribution(packet)) setTimeout(() => listener(packet), ms);
        else listener(packet);
      }),
    onClose: (listener) => controller.onClose(listener),
    close: () => controller.close(),
  };
}

/** How many bonds a store holds. */
const count = (store: BondStore): number => [...store.list()].length;

/**
 * One family's examples: their file names and what they export.
 * @example
 * ```ts
 * const examples: FamilyExamples = { noble: 'noble-secure-pairing.ts', ...noble, ...bleno, bleno: 'bleno-secure-peripheral.ts' };
 * ```
 */
export interface FamilyExamples {
  readonly noble: string;
  readonly bleno: string;
  readonly SECRET_CHARACTERISTIC: string;
  startSecurePeripheral(options: {
    value?: string;
    bondStore?: BondStore;
    socket?: () => HciSocketLike;
    log?: (line: string) => void;
  }): Promise<Pick<SecurePeripheral, 'secure' | 'close'>>;
  pairWithPeripheral(
    address: string,
    options: { bondStore?: BondStore; socket?: () => HciSocketLike; log?: (line: string) => void },
  ): Promise<
    Pick<SecuredPeripheral, 'secure' | 'fromBond'> & { peripheral: { disconnectAsync(): Promise<void> } }
  >;
}

/**
 * The examples' tests, for one family (a test file of its own each).
 * @example
 * ```ts
 * exampleSuites({ noble: 'noble-secure-pairing.ts', bleno: 'bleno-secure-peripheral.ts', ... });
 * ```
 */
export function exampleSuites(examples: FamilyExamples): void {
  const hosts = closedAfterEach();

  describe(`examples/${examples.bleno}`, () => {
    it('refuses to read the characteristic until our central pairs by Numeric Comparison, then reads it', async () => {
      const air = new VirtualAir();
      libraryController(air);
      const lines: string[] = [];
      const bonds = new MemoryBondStore();
      /** Each line logged, and for 'paired' how many bonds the example's store held then. */
      const log = (line: string) =>
        lines.push(line.endsWith(': paired') ? `${line} (${count(bonds)} bond)` : line);
      const peripheral = await examples.startSecurePeripheral({
        socket: () => new TransportHciSocket(),
        value: 'the secret',
        bondStore: bonds,
        log,
      });
      const responses: Uint8Array[] = [];
      const numbers: number[] = [];
      const { host } = await capturedHost(air, {
        policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
        delegate: confirming(numbers),
        att: (_connection, pdu) => {
          responses.push(pdu);
          return undefined;
        },
      });
      hosts.push(host);
      /** ATT Read By Type Request for the characteristic's value, over the whole handle range. */
      const read = async (connection: Connection): Promise<Uint8Array> => {
        const uuid = Buffer.from(examples.SECRET_CHARACTERISTIC, 'hex').reverse();
        const before = responses.length;
        host.sendL2cap(
          connection.handle,
          FixedChannel.Att,
          Uint8Array.of(0x08, 0x01, 0x00, 0xff, 0xff, ...uuid),
        );
        for (let i = 0; i < 200 && responses.length === before; i++)
          await new Promise((r) => setTimeout(r, 5));
        return responses[before] ?? new Uint8Array();
      };

      const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
      // Error Response to Read By Type, handle 0x0001: Insufficient Authentication (0x05).
      expect([...(await read(connection))]).toEqual([0x01, 0x08, 0x01, 0x00, 0x05]);

      const paired = until(peripheral.secure, 'paired');
      const result = await connection.pair();
      await paired;
      expect(result).toMatchObject({
        secureConnections: true,
        model: 'numeric-comparison',
        authenticated: true,
      });
      expect(count(host.security.bonds)).toBe(1);
      expect(count(peripheral.secure.security.bonds)).toBe(1);
      const shown = String(numbers[0]).padStart(6, '0');
      // 'paired' is logged once the bond is kept, not on the 'encrypted' that comes before key distribution.
      expect(lines).toEqual([
        'advertising',
        `confirm ${shown} with ${formatAddress(HOST_ADDRESS)}`,
        `${formatAddress(HOST_ADDRESS)}: paired (1 bond)`,
      ]);

      const answer = await read(connection);
      expect(answer[0]).toBe(0x09); // Read By Type Response
      expect(Buffer.from(answer.subarray(4)).toString()).toBe('the secret');

      // Again: the link is encrypted with the bond (no pairing, no number to confirm) and the read answered.
      await connection.disconnect();
      await new Promise((r) => setTimeout(r, 50)); // bleno advertises again once it hears of the disconnection
      const again = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
      const fromBond = until(peripheral.secure, 'encrypted');
      expect((await again.secure()).kind).toBe('encrypted');
      expect((await fromBond)[2]).toBe(true);
      expect(numbers).toHaveLength(1);
      expect(lines.slice(3)).toEqual([`${formatAddress(HOST_ADDRESS)}: encrypted with the bond`]);
      expect(Buffer.from((await read(again)).subarray(4)).toString()).toBe('the secret');
      await peripheral.close();
    });
  });

  describe(`examples/${examples.noble}`, () => {
    it('pairs with our peripheral by Numeric Comparison, then re-encrypts from the bond', async () => {
      const air = new VirtualAir();
      libraryController(air, keysLate(air, 200));
      const numbers: number[] = [];
      const { host } = await capturedHost(air, {
        policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
        delegate: confirming(numbers),
        att: encryptionRequired,
      });
      hosts.push(host);
      await host.startAdvertising();
      const lines: string[] = [];
      const bonds = new MemoryBondStore();
      const options = {
        socket: () => new TransportHciSocket(),
        bondStore: bonds,
        log: (line: string) => lines.push(line === 'paired' ? `paired (${count(bonds)} bond)` : line),
      };
      const first = await examples.pairWithPeripheral(formatAddress(HOST_ADDRESS), options);
      // Resolved once the keys came (late), not on the 'encrypted' that let the discovery complete.
      expect(first.fromBond).toBe(false);
      expect(count(bonds)).toBe(1);
      expect(count(host.security.bonds)).toBe(1);
      expect(lines).toEqual([`confirm ${String(numbers[0]).padStart(6, '0')}`, 'paired (1 bond)']);

      await first.peripheral.disconnectAsync();
      await host.startAdvertising();
      const second = await examples.pairWithPeripheral(formatAddress(HOST_ADDRESS), options);
      expect(second.fromBond).toBe(true);
      expect(numbers).toHaveLength(1);
      expect(lines.slice(2)).toEqual(['encrypted with the bond']); // no second number to confirm
      await second.peripheral.disconnectAsync();
    });
  });
}
