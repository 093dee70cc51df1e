/**
 * Our central pairs with a bleno app (with `secureBleno()`) while a GATT
 * exchange is in flight: none, service discovery (request and pairing on the
 * air together), a read and a write whose answers bleno's app holds until the
 * pairing is done. The pairing completes, both sides keep the bond, and each
 * request is answered exactly once; then the same on a reconnection that
 * re-encrypts from the bond. Both bleno families.
 */
import { describe, expect, it } from 'vitest';
import { FixedChannel } from '../../src/hci/l2cap.js';
import type { Connection } from '../../src/host/connection.js';
import type { Host } from '../../src/host/host.js';
import { secureBleno, TransportHciSocket } from '../../src/integrations/bleno/index.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import {
  type Bleno,
  capturedHost,
  closedAfterEach,
  FAMILIES,
  type Family,
  freshRequire,
  LIBRARY_ADDRESS,
  libraryController,
  until,
} from './harness.js';

const hosts = closedAfterEach();

interface BlenoModule extends Bleno {
  Characteristic: new (options: object) => unknown;
  PrimaryService: new (options: object) => unknown;
  setServices(services: unknown[], callback: (error?: Error) => void): void;
}

/** A bleno app with service 0xAB00 and characteristic 0xAB01 (read, write) whose answers the test releases. */
async function blenoApp(family: Family) {
  const bleno = freshRequire<BlenoModule>(`${family}/bleno`);
  await until(bleno, 'stateChange', (state) => state === 'poweredOn');
  const state = { value: Buffer.from('initial'), hold: false, held: [] as (() => void)[], calls: 0 };
  /** Runs the answer now, or once released when holding (the app's own work in flight). */
  const answer = (send: () => void) => {
    state.calls++;
    if (state.hold) state.held.push(send);
    else send();
  };
  const characteristic = new bleno.Characteristic({
    uuid: 'ab01',
    properties: ['read', 'write'],
    // @stoprocent/bleno passes the connection handle first; @abandonware/bleno does not.
    onReadRequest: (...args: unknown[]) => {
      const callback = args.at(-1) as (result: number, data?: Buffer) => void;
      answer(() => callback(0, state.value));
    },
    onWriteRequest: (...args: unknown[]) => {
      const data = args.at(-4) as Buffer;
      const callback = args.at(-1) as (result: number) => void;
      answer(() => {
        state.value = Buffer.from(data);
        callback(0);
      });
    },
  });
  await new Promise<void>((resolve, reject) =>
    bleno.setServices([new bleno.PrimaryService({ uuid: 'ab00', characteristics: [characteristic] })], (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  await new Promise<void>((resolve, reject) =>
    bleno.startAdvertising('in-flight', [], (e) => (e ? reject(e) : resolve())),
  );
  return {
    bleno,
    state,
    release: () => {
      state.hold = false;
      for (const send of state.held.splice(0)) send();
    },
  };
}

/** Our central's ATT client: one request at a time, each answer counted. */
function attClient(host: Host, responses: Uint8Array[]) {
  return async (connection: Connection, request: Uint8Array): Promise<Uint8Array> => {
    const before = responses.length;
    host.sendL2cap(connection.handle, FixedChannel.Att, request);
    for (let i = 0; i < 400 && responses.length === before; i++) await new Promise((r) => setTimeout(r, 5));
    const response = responses[before];
    if (!response) throw new Error(`no answer to ATT request ${Buffer.from(request).toString('hex')}`);
    return response;
  };
}

/** The value handle of characteristic 0xAB01, from Read By Type (Characteristic, 0x2803) over every handle. */
async function valueHandle(request: (pdu: Uint8Array) => Promise<Uint8Array>): Promise<number> {
  let start = 1;
  for (;;) {
    const response = await request(Uint8Array.of(0x08, start & 0xff, start >> 8, 0xff, 0xff, 0x03, 0x28));
    if (response[0] !== 0x09) throw new Error('characteristic 0xAB01 not found');
    const size = response[1]!;
    for (let at = 2; at + size <= response.length; at += size) {
      const handle = response[at]! | (response[at + 1]! << 8);
      const uuid = response[at + 5]! | (response[at + 6]! << 8);
      if (size === 7 && uuid === 0xab01) return response[at + 3]! | (response[at + 4]! << 8);
      start = handle + 1;
    }
  }
}

const STATES = ['no GATT exchange', 'service discovery', 'a read', 'a write'] as const;

describe.each(FAMILIES)(
  '%s/bleno with secureBleno: our central secures the link during',
  (family: Family) => {
    it.each(STATES)('%s', async (exchange) => {
      const air = new VirtualAir();
      libraryController(air);
      const secure = secureBleno({ socket: () => new TransportHciSocket(), package: `${family}/bleno` });
      const responses: Uint8Array[] = [];
      const { host, capture } = await capturedHost(air, {
        att: (_connection, pdu) => {
          responses.push(pdu);
          return undefined;
        },
      });
      hosts.push(host);
      const app = await blenoApp(family);
      const ask = attClient(host, responses);

      for (const run of [1, 2] as const) {
        const paired = run === 1 ? until(secure, 'paired') : until(secure, 'encrypted');
        const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
        const handle = await valueHandle((pdu) => ask(connection, pdu));
        const answersBefore = responses.length;
        const callsBefore = app.state.calls;
        const written = Buffer.from(`run ${run}`);
        let inFlight: Promise<Uint8Array> | undefined;
        if (exchange === 'service discovery') {
          // Read By Group Type (Primary Service) on the air with the Pairing Request.
          inFlight = ask(connection, Uint8Array.of(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28));
        } else if (exchange === 'a read' || exchange === 'a write') {
          app.state.hold = true;
          const pdu =
            exchange === 'a read'
              ? Uint8Array.of(0x0a, handle & 0xff, handle >> 8)
              : Uint8Array.of(0x12, handle & 0xff, handle >> 8, ...written);
          inFlight = ask(connection, pdu);
          // The app has the request (bleno called it) and holds its answer.
          for (let i = 0; i < 200 && app.state.held.length === 0; i++)
            await new Promise((r) => setTimeout(r, 5));
          expect(app.state.held).toHaveLength(1);
        }
        const outcome = await connection.secure();
        expect(outcome.kind).toBe(run === 1 ? 'paired' : 'encrypted');
        const [, , ...rest] = await paired;
        if (run === 2) expect(rest[0]).toBe(true); // fromBond
        app.release();
        const response = await inFlight;
        if (exchange === 'service discovery') {
          expect(response![0]).toBe(0x11); // Read By Group Type Response
        } else if (exchange === 'a read') {
          expect(response![0]).toBe(0x0b);
          expect(Buffer.from(response!.subarray(1)).toString()).toBe('initial');
        } else if (exchange === 'a write') {
          expect([...response!]).toEqual([0x13]);
          expect(app.state.value.toString()).toBe(written.toString());
        }
        if (exchange === 'no GATT exchange') expect(response).toBeUndefined();
        // Exactly one answer to the request, and the app asked once.
        await new Promise((r) => setTimeout(r, 50));
        expect(responses.length - answersBefore).toBe(inFlight ? 1 : 0);
        expect(app.state.calls - callsBefore).toBe(exchange === 'a read' || exchange === 'a write' ? 1 : 0);

        // The bond, on both sides, with the same key.
        const ours = [...host.security.bonds.list()];
        const theirs = [...secure.security.bonds.list()];
        expect(ours).toHaveLength(1);
        expect(theirs).toHaveLength(1);
        expect(Buffer.from(theirs[0]!.peerLtk!.ltk)).toEqual(Buffer.from(ours[0]!.peerLtk!.ltk));

        const gone = until(app.bleno, 'disconnect');
        await connection.disconnect();
        await gone;
      }
      // One pairing on the air: the second connection re-encrypted from the bond.
      expect(auditTrace(capture()).pairings).toHaveLength(1);
    });
  },
);
