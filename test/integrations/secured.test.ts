/** SecureHci.secured(): resolves on a pairing's 'paired' or an 'encrypted' from the bond, never on a pairing's 'encrypted'. */
import { describe, expect, it } from 'vitest';
import { SecureHci } from '../../src/integrations/shared/secure-hci.js';
import { TransportHciSocket } from '../../src/integrations/shared/transport-socket.js';
import type { PairingResult } from '../../src/smp/session-types.js';

const A = { address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 as const };
const B = { address: Uint8Array.of(6, 5, 4, 3, 2, 1), type: 1 as const };
const result = {} as PairingResult;

/** Settles within a turn, or 'pending'. */
const state = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    ),
    new Promise((r) => setTimeout(() => r('pending'), 10)),
  ]);

describe('SecureHci.secured', () => {
  it("waits past a pairing's 'encrypted' for 'paired'", async () => {
    const secure = new SecureHci(() => new TransportHciSocket());
    const done = secure.secured();
    secure.emit('encrypted', 0x40, A, false, undefined);
    expect(await state(done)).toBe('pending');
    secure.emit('paired', 0x40, A, result, undefined);
    expect(await state(done)).toEqual({ value: { handle: 0x40, peer: A, fromBond: false, bond: undefined } });
  });

  it("resolves on 'encrypted' from the bond, and only for the peer asked about", async () => {
    const secure = new SecureHci(() => new TransportHciSocket());
    const done = secure.secured(B.address);
    secure.emit('encrypted', 0x40, A, true, undefined);
    expect(await state(done)).toBe('pending');
    secure.emit('encrypted', 0x41, B, true, undefined);
    expect(await state(done)).toMatchObject({ value: { handle: 0x41, fromBond: true } });
    expect(secure.listenerCount('encrypted') + secure.listenerCount('paired')).toBe(0);
  });

  it("rejects with the link's error", async () => {
    const secure = new SecureHci(() => new TransportHciSocket());
    const done = secure.secured();
    secure.emit('error', 0x40, A, new Error('Numeric Comparison Failed'));
    expect(await state(done)).toEqual({ error: 'Numeric Comparison Failed' });
    expect(secure.listenerCount('error')).toBe(0);
  });
});
