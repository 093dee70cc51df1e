/**
 * Issue 15, item 2: the SMP timeout ends SMP on that link (Core Vol 3 Part H
 * 3.4): after the 30 s timer expires no SMP PDU is sent or taken on the link,
 * a new pairing needs a new physical link, and the link is disconnected (as
 * Linux does), so a peripheral that stopped advertising while connected
 * advertises again. The timer is shortened for the test (`smpTimeoutMs`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/host.js';
import { PairingError } from '../../src/host/security-errors.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { RepeatedAttempts } from '../../src/smp/repeated-attempts.js';
import { connectHosts, virtualHosts } from './virtual-hosts.js';

/** A user who never answers whether to accept the first pairing, and accepts the later ones. */
function silentOnce(): PairingDelegate {
  let asked = 0;
  return { ...acceptAll, acceptPairing: () => (asked++ === 0 ? new Promise<boolean>(() => {}) : true) };
}

const open: Host[] = [];
afterEach(async () => {
  for (const host of open.splice(0)) await host.close();
});

describe('after the SMP timeout', () => {
  it('an idle central holds serve no longer: the peripheral whose timer expired disconnects (0x13), advertises again, and a new connection pairs', async () => {
    // The central's user never confirms the first pairing: the central goes quiet after the nonces.
    let asked = 0;
    const idle: PairingDelegate = {
      ...acceptAll,
      confirmNumber: () => (asked++ === 0 ? new Promise<boolean>(() => {}) : true),
      confirmJustWorks: () => (asked++ === 0 ? new Promise<boolean>(() => {}) : true),
    };
    // Repeated Attempts would make the new attempt wait 2 s after the timed-out one: 1 ms here.
    const { c, p } = await virtualHosts(
      { delegate: idle },
      { smpTimeoutMs: 300, attempts: new RepeatedAttempts({ baseMs: 1 }) },
    );
    open.push(c, p);
    const link = await connectHosts(c, p);
    const failed = new Promise<PairingError>((resolve) =>
      p.once('pairing-failed', (_conn, error) => resolve(error)),
    );
    const gone = new Promise<number>((resolve) => link.c.once('disconnect', resolve));
    const pairing = link.c.pair().catch((error: Error) => error);
    const error = await failed;
    expect(error).toBeInstanceOf(PairingError);
    expect(error.timeout).toBe(true);
    // The peripheral ended the link: the central hears Remote User Terminated Connection.
    expect(await gone).toBe(0x13);
    expect(await pairing).toBeInstanceOf(Error);
    // A new physical link: the peripheral advertises again and pairs.
    const again = await connectHosts(c, p);
    const result = await again.c.pair();
    expect(result.secureConnections).toBe(true);
  });

  it('the central whose timer expired disconnects too, and takes no SMP PDU on that link afterwards', async () => {
    // The peripheral never answers the central's Pairing Request: its user never accepts, its own timer is long.
    const { c, p } = await virtualHosts({ smpTimeoutMs: 300 }, { delegate: silentOnce() });
    open.push(c, p);
    const link = await connectHosts(c, p);
    const gone = new Promise<number>((resolve) => link.p.once('disconnect', resolve));
    const error = await link.c.pair().catch((e: Error) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect((error as PairingError).timeout).toBe(true);
    // A pairing asked for on the same link afterwards is refused at once, naming the rule.
    await expect(c.security.pair(link.c.handle)).rejects.toThrow(/new pairing needs a new connection/);
    expect(await gone).toBe(0x13);
  });

  it('a peripheral whose user never answers the accept prompt: its timer runs from the Pairing Request, and the link ends', async () => {
    const never: PairingDelegate = { ...acceptAll, acceptPairing: () => new Promise<boolean>(() => {}) };
    const { c, p } = await virtualHosts({}, { delegate: never, smpTimeoutMs: 300 });
    open.push(c, p);
    const link = await connectHosts(c, p);
    const failed = new Promise<PairingError>((resolve) =>
      p.once('pairing-failed', (_conn, error) => resolve(error)),
    );
    const gone = new Promise<number>((resolve) => link.c.once('disconnect', resolve));
    const pairing = link.c.pair().catch((error: Error) => error);
    expect((await failed).timeout).toBe(true);
    expect(await gone).toBe(0x13);
    expect(await pairing).toBeInstanceOf(Error);
  });
});
