import { describe, expect, it } from 'vitest';
import { FixedChannel } from '../../src/hci/l2cap.js';
import type { Advertisement } from '../../src/host/advertisement.js';
import type { Connection } from '../../src/host/connection.js';
import { connectHosts, virtualHosts } from './virtual-hosts.js';

const hosts = virtualHosts;
const connect = connectHosts;

describe('scanning', () => {
  it('reports a connectable advertiser with its data; an RPA advertiser with its bonded identity', async () => {
    const { c: central, p: peripheral } = await hosts(
      {},
      { ownAddress: { kind: 'resolvable', rotateMs: 0 } },
    );
    try {
      const data = Uint8Array.of(0x02, 0x01, 0x06, 0x05, 0x09, 0x70, 0x69, 0x21, 0x21);
      // rotateMs 0: every startAdvertising makes a new RPA.
      const first = new Promise<Advertisement>((resolve) => central.once('advertisement', resolve));
      await central.startScanning({ active: true });
      await peripheral.startAdvertising({ data });
      const ad = await first;
      expect(ad).toMatchObject({ kind: 'ADV_IND', connectable: true, peer: peripheral.airAddress });
      expect([...ad.data]).toEqual([...data]);
      // Not bonded yet: the RPA resolves to nothing, the identity is the address itself.
      expect(ad.identity).toEqual(ad.peer);
      await central.stopScanning();
      await peripheral.stopAdvertising();

      const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
      await peripheral.startAdvertising();
      const link = await central.connect(peripheral.airAddress.address, 1, { timeoutMs: 2000 });
      await incoming;
      await link.pair();
      await link.disconnect();
      await peripheral.stopAdvertising().catch(() => undefined);

      // A new RPA on the next advertising; the central resolves it to the peripheral's identity.
      const next = new Promise<Advertisement>((resolve) => central.once('advertisement', resolve));
      await central.startScanning();
      await peripheral.startAdvertising();
      const again = await next;
      expect(again.peer).toEqual(peripheral.airAddress);
      expect(again.peer.address).not.toEqual(ad.peer.address);
      expect(again.identity).toEqual(peripheral.address);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });
});

/** A Connection Parameter Update Request (Vol 3 Part A 4.20): interval 24..40, latency 0, timeout 72. */
const UPDATE_REQUEST = Uint8Array.of(0x12, 0x05, 0x08, 0x00, 0x18, 0x00, 0x28, 0x00, 0x00, 0x00, 0x48, 0x00);

describe('connection parameter updates', () => {
  it('a central accepts valid parameters and applies them with LE Connection Update: both sides see them', async () => {
    const { c: central, p: peripheral } = await hosts();
    try {
      const { c, p } = await connect(central, peripheral);
      const seen = Promise.all(
        [c, p].map(
          (conn) => new Promise<number[]>((resolve) => conn.once('parameters', (...v) => resolve(v))),
        ),
      );
      peripheral.sendL2cap(p.handle, FixedChannel.LeSignalling, UPDATE_REQUEST);
      expect(await seen).toEqual([
        [40, 0, 72],
        [40, 0, 72],
      ]);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('a central told to refuse does not update the connection', async () => {
    const { c: central, p: peripheral } = await hosts({ acceptConnectionParameters: () => false });
    try {
      const { c, p } = await connect(central, peripheral);
      let updated = false;
      c.on('parameters', () => {
        updated = true;
      });
      peripheral.sendL2cap(p.handle, FixedChannel.LeSignalling, UPDATE_REQUEST);
      // A pairing afterwards crosses the same link: by then the request was answered.
      await c.pair();
      expect(updated).toBe(false);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });
});
