/**
 * Issue 15, item 3, through the host on the virtual controller: peers on a
 * fresh address per attempt (address rotation) against Repeated Attempts
 * (Core Vol 3 Part H 2.3.6). Each peer's pairing fails (its user refuses the
 * number); once the budget of failures across peers is spent, a pairing from
 * a new address is refused with Repeated Attempts (0x09), in both roles. The
 * memory per peer is bounded (`maxPeers`): the peer least recently failed is
 * forgotten. Engine-level tests: test/smp/failures.test.ts and policy-delegate.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/host/connection.js';
import { Host } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import { PairingError } from '../../src/host/security-errors.js';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { RepeatedAttempts } from '../../src/smp/repeated-attempts.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { tb } from './virtual-hosts.js';

const policy = { ioCapability: IoCapability.DisplayYesNo };
/** A user who says the numbers differ: every Numeric Comparison pairing fails (0x0C). */
const refuses: PairingDelegate = { ...acceptAll, confirmNumber: () => false };
/** A fresh static random address per peer: what rotation looks like to us. */
const addressOf = (n: number) => Uint8Array.of(n, 0x11, 0x22, 0x33, 0x44, 0xc5);

const open: Host[] = [];
afterEach(async () => {
  for (const host of open.splice(0)) await host.close();
});

async function host(air: VirtualAir, address: Uint8Array | undefined, options: HostOptions) {
  const h = await Host.open(air.createController(address ? { address } : {}), {
    crypto: tb,
    delegate: acceptAll,
    policy,
    ...options,
  });
  open.push(h);
  return h;
}

async function link(central: Host, peripheral: Host): Promise<{ c: Connection; p: Connection }> {
  const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
  await peripheral.startAdvertising();
  const target = peripheral.airAddress;
  const c = await central.connect(target.address, target.type, { timeoutMs: 2000 });
  return { c, p: await incoming };
}

/** The failure our host reports for its next pairing. */
const nextFailure = (h: Host) =>
  new Promise<PairingError>((resolve) => h.once('pairing-failed', (_c, error) => resolve(error)));

describe('Repeated Attempts against address rotation, through the host', () => {
  it('our peripheral: three centrals on fresh addresses fail; a fourth new address gets 0x09 at its Pairing Request', async () => {
    const air = new VirtualAir();
    const attempts = new RepeatedAttempts({ budget: { failures: 3, windowMs: 60_000 } });
    const victim = await host(air, Uint8Array.of(1, 2, 3, 4, 5, 6), { attempts });
    for (let n = 1; n <= 3; n++) {
      const central = await host(air, addressOf(n), { delegate: refuses });
      const { c } = await link(central, victim);
      const failed = nextFailure(victim);
      expect(await c.pair().catch((e: PairingError) => e.reason)).toBe(Reason.NumericComparisonFailed);
      expect((await failed).reason).toBe(Reason.NumericComparisonFailed);
      await c.disconnect();
    }
    const fresh = await host(air, addressOf(4), {});
    const { c } = await link(fresh, victim);
    const refused = nextFailure(victim);
    const error = await c.pair().catch((e: Error) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect({ reason: (error as PairingError).reason, by: (error as PairingError).by }).toEqual({
      reason: Reason.RepeatedAttempts,
      by: 'peer',
    });
    expect((await refused).message).toMatch(/failed recently/);
    expect([...victim.security.bonds.list()]).toEqual([]);
  });

  it('control: without the budget the fourth new address pairs', async () => {
    const air = new VirtualAir();
    const victim = await host(air, Uint8Array.of(1, 2, 3, 4, 5, 6), { attempts: new RepeatedAttempts() });
    for (let n = 1; n <= 3; n++) {
      const central = await host(air, addressOf(n), { delegate: refuses });
      const { c } = await link(central, victim);
      await c.pair().catch(() => undefined);
      await c.disconnect();
    }
    const { c } = await link(await host(air, addressOf(4), {}), victim);
    expect(await c.pair()).toMatchObject({ method: 'sc', model: 'numeric-comparison' });
  });

  it('our central: peripherals on fresh addresses send Security Requests and fail; past the budget a new one gets 0x09', async () => {
    const air = new VirtualAir();
    const attempts = new RepeatedAttempts({ budget: { failures: 2, windowMs: 60_000 } });
    const victim = await host(air, undefined, { attempts });
    for (let n = 1; n <= 2; n++) {
      const peripheral = await host(air, addressOf(n), { delegate: refuses });
      const { p } = await link(victim, peripheral);
      const failed = nextFailure(victim);
      // The peripheral asks for security; our central pairs in answer ('auto'), the peripheral's user refuses.
      await p.pair().catch(() => undefined);
      expect((await failed).reason).toBe(Reason.NumericComparisonFailed);
      await p.disconnect();
    }
    const peripheral = await host(air, addressOf(3), {});
    const { p } = await link(victim, peripheral);
    const refused = nextFailure(victim);
    const error = await p.pair().catch((e: Error) => e);
    expect((await refused).reason).toBe(Reason.RepeatedAttempts);
    expect(error).toBeInstanceOf(PairingError);
    expect((error as PairingError).reason).toBe(Reason.RepeatedAttempts);
    expect([...victim.security.bonds.list()]).toEqual([]);
  });

  it('the memory is bounded: with maxPeers 2, the first of three failed addresses is forgotten and pairs again at once', async () => {
    const air = new VirtualAir();
    const attempts = new RepeatedAttempts({ maxPeers: 2, baseMs: 60_000 });
    const victim = await host(air, Uint8Array.of(1, 2, 3, 4, 5, 6), { attempts });
    const centrals: Host[] = [];
    for (let n = 1; n <= 3; n++) {
      const central = await host(air, addressOf(n), { delegate: refuses });
      centrals.push(central);
      const { c } = await link(central, victim);
      await c.pair().catch(() => undefined);
      await c.disconnect();
    }
    // The third is remembered: 0x09. The first was pushed out: it pairs (its user now accepts).
    const third = await link(centrals[2]!, victim);
    expect(await third.c.pair().catch((e: PairingError) => e.reason)).toBe(Reason.RepeatedAttempts);
    await third.c.disconnect();
    const first = await link(centrals[0]!, victim);
    const pairing = first.c.pair({ delegate: acceptAll });
    expect(await pairing).toMatchObject({ method: 'sc' });
  });
});
