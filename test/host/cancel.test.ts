/**
 * Giving up a pairing under way (SecurityManager.cancel): the peer hears the
 * reason of the prompt waiting for an answer, else Unspecified Reason; a
 * delegate that throws refuses with its error's message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/host.js';
import { PairingError } from '../../src/host/security-errors.js';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { PairingSession } from '../../src/smp/session.js';
import type { SessionInput } from '../../src/smp/session-types.js';
import { connectHosts, tb, virtualHosts } from './virtual-hosts.js';

const opened: Host[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((host) => host.close()));
});

/** A delegate whose confirmNumber and enterPasskey never answer, and says when asked. */
function waitingDelegate() {
  let asked!: (kind: string) => void;
  const prompted = new Promise<string>((resolve) => (asked = resolve));
  const delegate: PairingDelegate = {
    ...acceptAll,
    confirmNumber: () => {
      asked('confirm-number');
      return new Promise<boolean>(() => undefined);
    },
    enterPasskey: () => {
      asked('enter-passkey');
      return new Promise<number | null>(() => undefined);
    },
  };
  return { delegate, prompted };
}

async function hosts(centralCap: IoCapability, peripheralCap: IoCapability, central: PairingDelegate) {
  const { c, p } = await virtualHosts(
    { delegate: central, policy: { ioCapability: centralCap } },
    { policy: { ioCapability: peripheralCap } },
  );
  opened.push(c, p);
  return { central: c, peripheral: p, links: await connectHosts(c, p) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the pairing completed');
    },
    (error: unknown) => error as PairingError,
  );

describe('SecurityManager.cancel', () => {
  it('at the numeric-comparison prompt: 0x0C to the peer, the message to the caller', async () => {
    const waiting = waitingDelegate();
    const { central, peripheral, links } = await hosts(
      IoCapability.DisplayYesNo,
      IoCapability.DisplayYesNo,
      waiting.delegate,
    );
    const peerFailed = new Promise<PairingError>((resolve) => links.p.once('pairing-failed', resolve));
    const pairing = failure(links.c.pair());
    expect(await waiting.prompted).toBe('confirm-number');
    expect(central.security.association(links.c.handle)).toMatchObject({
      model: 'numeric-comparison',
      secureConnections: true,
    });
    expect(central.security.cancel(links.c.handle, 'interrupted (SIGINT)')).toBe(true);
    const error = await pairing;
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ reason: Reason.NumericComparisonFailed, by: 'local' });
    expect(error.message).toBe('interrupted (SIGINT)');
    expect(await peerFailed).toMatchObject({ reason: Reason.NumericComparisonFailed, by: 'peer' });
    // Nothing more to give up; nothing kept.
    expect(central.security.cancel(links.c.handle, 'again')).toBe(false);
    expect(central.security.bonds.list()).toEqual([]);
    expect(peripheral.security.bonds.list()).toEqual([]);
  });

  it('at the passkey prompt: 0x01 Passkey Entry Failed', async () => {
    const waiting = waitingDelegate();
    const { central, links } = await hosts(
      IoCapability.KeyboardOnly,
      IoCapability.DisplayOnly,
      waiting.delegate,
    );
    const peerFailed = new Promise<PairingError>((resolve) => links.p.once('pairing-failed', resolve));
    const pairing = failure(links.c.pair());
    expect(await waiting.prompted).toBe('enter-passkey');
    central.security.cancel(links.c.handle, 'interrupted (SIGTERM)');
    expect(await pairing).toMatchObject({
      reason: Reason.PasskeyEntryFailed,
      message: 'interrupted (SIGTERM)',
    });
    expect(await peerFailed).toMatchObject({ reason: Reason.PasskeyEntryFailed, by: 'peer' });
  });

  it('with no prompt waiting: 0x08 Unspecified Reason; with no pairing: false', async () => {
    const { central, links } = await hosts(
      IoCapability.NoInputNoOutput,
      IoCapability.NoInputNoOutput,
      acceptAll,
    );
    expect(central.security.cancel(links.c.handle, 'nothing under way')).toBe(false);
    const peerFailed = new Promise<PairingError>((resolve) => links.p.once('pairing-failed', resolve));
    const pairing = failure(links.c.pair());
    // The Pairing Request is sent at once: the pairing is under way, waiting for the Response.
    expect(central.security.cancel(links.c.handle, 'stopping')).toBe(true);
    expect(await pairing).toMatchObject({ reason: Reason.UnspecifiedReason, message: 'stopping' });
    expect(await peerFailed).toMatchObject({ reason: Reason.UnspecifiedReason, by: 'peer' });
  });

  it('a delegate that throws refuses with its message, and the model reason', async () => {
    const delegate: PairingDelegate = {
      ...acceptAll,
      confirmNumber: async () => {
        throw new Error('no one to ask: pass --confirm yes or --confirm no');
      },
    };
    const { links } = await hosts(IoCapability.DisplayYesNo, IoCapability.DisplayYesNo, delegate);
    const error = await failure(links.c.pair());
    expect(error).toMatchObject({
      reason: Reason.NumericComparisonFailed,
      by: 'local',
      message: 'no one to ask: pass --confirm yes or --confirm no',
    });
  });
});

describe("PairingSession 'cancel' (sans-I/O)", () => {
  const local = { address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 as const };
  const peer = { address: Uint8Array.of(6, 5, 4, 3, 2, 1), type: 0 as const };

  it('does nothing before the pairing starts; after, fails with 0x08 and sends Pairing Failed; a bad input is refused', () => {
    const session = new PairingSession({ role: 'initiator', local, peer, crypto: tb });
    expect(session.handle({ type: 'cancel', message: 'early' })).toEqual([]);
    expect(session.phase).toBe('idle');
    session.handle({ type: 'start' });
    expect(session.association).toBeUndefined();
    const outputs = session.handle({ type: 'cancel', message: 'stopping' });
    expect(outputs.find((o) => o.type === 'send')).toMatchObject({
      pdu: { type: 'pairing-failed', reason: Reason.UnspecifiedReason },
    });
    expect(outputs.find((o) => o.type === 'failed')).toMatchObject({
      failure: { reason: Reason.UnspecifiedReason, by: 'local', message: 'stopping', timeout: false },
    });
    expect(session.phase).toBe('failed');
    expect(session.handle({ type: 'cancel', message: 'again' })).toEqual([]);
    expect(() =>
      new PairingSession({ role: 'initiator', local, peer, crypto: tb }).handle({
        type: 'cancel',
      } as unknown as SessionInput),
    ).toThrow(TypeError);
  });
});
