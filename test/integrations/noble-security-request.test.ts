/**
 * A peripheral (our host) sends a Security Request while a noble app with
 * `secureNoble()` is in each state of its GATT client: connected with nothing
 * pending, discovering services, reading, writing. The pairing completes, the
 * bond is kept on both sides, the pending request completes exactly once
 * (noble repeats its current request on every Encryption Change it hears,
 * and throws when it has none); then the same on a reconnection, answered by
 * re-encryption from the bond. Both noble families.
 */
import { describe, expect, it } from 'vitest';
import { FixedChannel } from '../../src/hci/l2cap.js';
import type { Connection } from '../../src/host/connection.js';
import type { Host } from '../../src/host/host.js';
import { secureNoble, TransportHciSocket } from '../../src/integrations/noble/index.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { AttOpcode, CHARACTERISTIC_UUID, gattServer, type HeldRequest, SERVICE_UUID } from './gatt-server.js';
import {
  capturedHost,
  closedAfterEach,
  FAMILIES,
  type Family,
  freshNoble,
  libraryController,
  nobleConnects,
  until,
} from './harness.js';

const hosts = closedAfterEach();

type Callback<T> = (error: Error | undefined | null, value: T) => void;
interface Characteristic {
  uuid: string;
  read(callback: Callback<Buffer>): void;
  write(data: Buffer, withoutResponse: boolean, callback: (error?: Error | null) => void): void;
}
interface Service {
  uuid: string;
  discoverCharacteristics(uuids: string[], callback: Callback<Characteristic[]>): void;
}
interface Peripheral {
  connect(callback: (error?: Error) => void): void;
  disconnect(callback?: () => void): void;
  discoverServices(uuids: string[], callback: Callback<Service[]>): void;
}

/** Runs a noble call; rejects when its callback comes twice (a request answered twice), resolves on the first. */
function once<T>(
  calls: Map<string, number>,
  name: string,
  call: (callback: Callback<T>) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    call((error, value) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      if (error) reject(error);
      else resolve(value);
    }),
  );
}

/** The app: discover the service and its characteristic, read, write; each callback counted. */
async function gattExchange(peripheral: Peripheral, calls: Map<string, number>, written: string) {
  const services = await once<Service[]>(calls, 'discoverServices', (cb) =>
    peripheral.discoverServices([], cb),
  );
  const service = services.find((s) => s.uuid === SERVICE_UUID)!;
  const characteristics = await once<Characteristic[]>(calls, 'discoverCharacteristics', (cb) =>
    service.discoverCharacteristics([], cb),
  );
  const characteristic = characteristics.find((c) => c.uuid === CHARACTERISTIC_UUID)!;
  const value = await once<Buffer>(calls, 'read', (cb) => characteristic.read(cb));
  await once<undefined>(calls, 'write', (cb) =>
    characteristic.write(Buffer.from(written), false, (e) => cb(e, undefined)),
  );
  return { services: services.map((s) => s.uuid), value: value.toString() };
}

/**
 * The request held while the Security Request goes out (none: sent on connection); `refused`: the peripheral
 * also answers it at once with Insufficient Authentication, so noble asks for security during the pairing.
 */
const STATES: Record<string, { hold?: number; refused?: boolean }> = {
  'connected with no GATT request pending': {},
  'discovering services': { hold: AttOpcode.ReadByGroupType },
  'reading a characteristic': { hold: AttOpcode.Read },
  'writing a characteristic': { hold: AttOpcode.Write },
  'reading, refused with Insufficient Authentication meanwhile': { hold: AttOpcode.Read, refused: true },
};

describe.each(FAMILIES)(
  '%s/noble with secureNoble, our peripheral sends a Security Request',
  (family: Family) => {
    it.each(Object.entries(STATES))('while %s', async (_state, { hold, refused = false }) => {
      const air = new VirtualAir();
      libraryController(air);
      const secure = secureNoble({ socket: () => new TransportHciSocket(), package: `${family}/noble` });
      const adapterErrors: Error[] = [];
      secure.on('error', (_h, _p, error) => adapterErrors.push(error));
      let host: Host | undefined;
      const secured: Promise<unknown>[] = [];
      const securing = (connection: Connection) => {
        const outcome = connection.secure();
        secured.push(outcome);
        return outcome;
      };
      const server = gattServer({
        ...(hold !== undefined ? { hold } : {}),
        send: (connection, pdu) => host?.sendL2cap(connection.handle, FixedChannel.Att, pdu),
        requireEncryption: refused,
        // The Security Request goes out while the request waits; the answer comes once the link is secure
        // (or at once: Insufficient Authentication).
        onHeld: (request: HeldRequest) => {
          const outcome = securing(request.connection);
          if (refused) request.answer();
          else void outcome.then(() => request.answer());
        },
      });
      const captured = await capturedHost(air, { att: (c, pdu) => server.att(c, pdu) });
      host = captured.host;
      hosts.push(host);
      if (hold === undefined) host.on('connection', (connection) => void securing(connection));

      const noble = freshNoble(family);
      await until(noble, 'stateChange', (state) => state === 'poweredOn');

      for (const [run, written] of [
        [1, 'first'],
        [2, 'second'],
      ] as const) {
        const ours = until<[Connection, boolean]>(host, 'encrypted');
        const theirs = until<[number, unknown, boolean]>(secure, 'encrypted');
        const paired = run === 1 ? Promise.all([until(host, 'paired'), until(secure, 'paired')]) : undefined;
        const requestsBefore = server.requests.length;
        const peripheral = await nobleConnects<Peripheral>(host, noble);
        if (hold === undefined) await (paired ?? ours);
        const calls = new Map<string, number>();
        const exchange = await gattExchange(peripheral, calls, written);
        await paired;
        const [connection, fromBondHere] = await ours;
        const [, , fromBondThere] = await theirs;
        expect(fromBondHere).toBe(run === 2);
        expect(fromBondThere).toBe(run === 2);
        expect(connection.encrypted).toBe(true);
        await Promise.all(secured);

        expect(exchange).toEqual({ services: [SERVICE_UUID], value: run === 1 ? 'initial' : 'first' });
        expect(Buffer.from(server.value).toString()).toBe(written);
        // Give a duplicate answer time to arrive, then: every callback once, every request sent once.
        await new Promise((r) => setTimeout(r, 50));
        expect([...calls.values()]).toEqual([1, 1, 1, 1]);
        // (noble repeats a refused request once, when it hears the link is encrypted).
        const requests = server.requests.slice(requestsBefore);
        const repeated = refused ? 1 : 0;
        expect(requests.length - new Set(requests).size).toBe(repeated);

        // The bond, on both sides, with the same key.
        const [bondHere] = host.security.bonds.list();
        const [bondThere] = secure.security.bonds.list();
        expect(host.security.bonds.list()).toHaveLength(1);
        expect(secure.security.bonds.list()).toHaveLength(1);
        expect(Buffer.from(bondThere!.peerLtk!.ltk)).toEqual(Buffer.from(bondHere!.peerLtk!.ltk));

        const gone = until(host, 'disconnect');
        await new Promise<void>((resolve) => peripheral.disconnect(() => resolve()));
        await gone;
      }
      // One pairing on the air: the second connection re-encrypted from the bond.
      expect(auditTrace(captured.capture()).pairings).toHaveLength(1);
      expect(adapterErrors).toEqual([]);
    });
  },
);
