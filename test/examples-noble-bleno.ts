/**
 * The noble and bleno examples of one package family over the virtual
 * controller, each against a ble-smp host, through the stand-in HCI socket.
 * Each family runs in a test file of its own (noble and bleno keep their
 * socket from their first import): examples-noble-bleno-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SecurePeripheral } from '../examples/bleno-secure-peripheral.js';
import type { SecuredPeripheral } from '../examples/noble-secure-pairing.js';
import { FixedChannel } from '../src/hci/l2cap.js';
import type { BondStore } from '../src/host/bond-store.js';
import type { Connection } from '../src/host/connection.js';
import type { HciSocketLike } from '../src/integrations/shared/socket-api.js';
import { TransportHciSocket } from '../src/integrations/shared/transport-socket.js';
import { IoCapability } from '../src/smp/constants.js';
import { acceptAll, formatAddress } from '../src/smp/index.js';
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

/** One family's examples: their file names and what they export. */
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
    options: { socket?: () => HciSocketLike; log?: (line: string) => void },
  ): Promise<
    Pick<SecuredPeripheral, 'secure' | 'fromBond'> & { peripheral: { disconnectAsync(): Promise<void> } }
  >;
}

/** The examples' tests, for one family. */
export function exampleSuites(examples: FamilyExamples): void {
  const hosts = closedAfterEach();

  describe(`examples/${examples.bleno}`, () => {
    it('refuses to read the characteristic until our central pairs by Numeric Comparison, then reads it', async () => {
      const air = new VirtualAir();
      libraryController(air);
      const lines: string[] = [];
      const peripheral = await examples.startSecurePeripheral({
        socket: () => new TransportHciSocket(),
        value: 'the secret',
        log: (line) => lines.push(line),
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
      expect(peripheral.secure.security.bonds.list()).toHaveLength(1);
      const shown = String(numbers[0]).padStart(6, '0');
      expect(lines).toContain(`confirm ${shown} with ${formatAddress(HOST_ADDRESS)}`);
      expect(lines).toContain(`${formatAddress(HOST_ADDRESS)}: paired`);

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
      expect(lines.at(-1)).toBe(`${formatAddress(HOST_ADDRESS)}: encrypted with the bond`);
      expect(Buffer.from((await read(again)).subarray(4)).toString()).toBe('the secret');
      await peripheral.close();
    });
  });

  describe(`examples/${examples.noble}`, () => {
    it('pairs with our peripheral by Numeric Comparison, then re-encrypts from the bond', async () => {
      const air = new VirtualAir();
      libraryController(air);
      const numbers: number[] = [];
      const { host } = await capturedHost(air, {
        policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
        delegate: confirming(numbers),
        att: encryptionRequired,
      });
      hosts.push(host);
      await host.startAdvertising();
      const lines: string[] = [];
      const options = { socket: () => new TransportHciSocket(), log: (line: string) => lines.push(line) };
      const first = await examples.pairWithPeripheral(formatAddress(HOST_ADDRESS), options);
      expect(first.fromBond).toBe(false);
      expect(lines).toEqual([`confirm ${String(numbers[0]).padStart(6, '0')}`, 'paired']);
      expect(host.security.bonds.list()).toHaveLength(1);
      expect(first.secure.security.bonds.list()).toHaveLength(1);

      await first.peripheral.disconnectAsync();
      await host.startAdvertising();
      const second = await examples.pairWithPeripheral(formatAddress(HOST_ADDRESS), options);
      expect(second.fromBond).toBe(true);
      expect(numbers).toHaveLength(1);
      expect(lines.at(-1)).toBe('encrypted with the bond');
    });
  });
}
