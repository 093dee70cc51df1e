import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.js';
import { Host } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import {
  isIdentityAddress,
  isResolvablePrivateAddress,
  makeResolvablePrivateAddress,
  resolvesTo,
} from '../../src/host/privacy.js';
import { PairingError } from '../../src/host/security-errors.js';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { RepeatedAttempts } from '../../src/smp/repeated-attempts.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { connectHosts, PERIPHERAL, tb, virtualHosts } from './virtual-hosts.js';

// Each refusal below counts as a failed attempt; these tests try again at once.
const attempts = () => new RepeatedAttempts({ baseMs: 0 });
const hosts = (central: HostOptions, peripheral: HostOptions) =>
  virtualHosts({ attempts: attempts(), ...central }, { attempts: attempts(), ...peripheral });
const connect = connectHosts;

describe('private addresses', () => {
  it('makes RPAs that resolve with their IRK only, tagged 0b01, never all-zero or all-one random parts', () => {
    const irk = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const other = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    for (let i = 0; i < 200; i++) {
      const rpa = makeResolvablePrivateAddress(tb, irk);
      expect(isResolvablePrivateAddress(rpa)).toBe(true);
      expect(isIdentityAddress(rpa)).toBe(false);
      expect(resolvesTo(tb, rpa.address, irk)).toBe(true);
      expect(resolvesTo(tb, rpa.address, other)).toBe(false);
    }
    // A source that first gives the forbidden all-zero random part is asked again.
    const draws = [Uint8Array.of(0, 0, 0), Uint8Array.of(1, 2, 3)];
    const rpa = makeResolvablePrivateAddress(tb, irk, () => draws.shift()!);
    expect(toHex(rpa.address.subarray(3))).toBe('010243');
  });

  it('tells identity addresses: public, and static random except all-zero or all-one', () => {
    expect(isIdentityAddress({ address: PERIPHERAL, type: 0 })).toBe(true);
    expect(isIdentityAddress({ address: Uint8Array.of(1, 2, 3, 4, 5, 0xc0), type: 1 })).toBe(true);
    expect(isIdentityAddress({ address: Uint8Array.of(0, 0, 0, 0, 0, 0xc0), type: 1 })).toBe(false);
    expect(isIdentityAddress({ address: Uint8Array.of(255, 255, 255, 255, 255, 0xff), type: 1 })).toBe(false);
    expect(isIdentityAddress({ address: Uint8Array.of(1, 2, 3, 4, 5, 0x06), type: 1 })).toBe(false);
  });

  it('a central on a new RPA at each connection is recognised through its IRK and re-encrypts from the bond', async () => {
    const { c: central, p: peripheral } = await hosts(
      { ownAddress: { kind: 'resolvable', rotateMs: 0 } },
      {},
    );
    try {
      const first = await connect(central, peripheral);
      expect(first.p.peer.type).toBe(1);
      expect(isResolvablePrivateAddress(first.p.peer)).toBe(true);
      const outcome = await first.c.secure();
      expect(outcome.kind).toBe('paired');
      // The central distributed its identity (public address) and IRK; the bond is kept under the identity.
      expect(first.p.identity).toEqual(central.address);
      const bond = peripheral.security.bonds.get(central.address);
      expect(bond?.peerIrk).toHaveLength(16);
      const firstRpa = toHex(first.p.peer.address);
      await first.c.disconnect();

      const second = await connect(central, peripheral);
      expect(toHex(second.p.peer.address)).not.toBe(firstRpa);
      expect(isResolvablePrivateAddress(second.p.peer)).toBe(true);
      expect(second.p.identity).toEqual(central.address);
      const phases: string[] = [];
      second.p.on('pairing', (phase) => phases.push(String(phase)));
      const fromBond = new Promise<boolean>((resolve) => second.p.once('encrypted', resolve));
      expect((await second.c.secure()).kind).toBe('encrypted');
      expect(await fromBond).toBe(true);
      expect(phases).toEqual([]);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('a peripheral on a static random address is connected, paired and bonded under that address', async () => {
    const statik = 'c6:05:04:03:02:01';
    const { c: central, p: peripheral } = await hosts(
      {},
      { ownAddress: { kind: 'static', address: statik } },
    );
    try {
      expect(peripheral.address.type).toBe(1);
      expect(peripheral.addressString).toBe(statik);
      const { c } = await connect(central, peripheral);
      expect(c.peer).toEqual({ address: peripheral.address.address, type: 1 });
      await c.pair();
      expect(central.security.bonds.get(peripheral.address)).toBeDefined();
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('refuses an address that is not static random', async () => {
    const air = new VirtualAir();
    await expect(
      Host.open(air.createController(), { ownAddress: { kind: 'static', address: '06:05:04:03:02:01' } }),
    ).rejects.toThrow(/not a static random address/);
  });
});

describe('bond replacement and re-encryption rules', () => {
  it('keeps an authenticated bond: a later Just Works pairing fails with Authentication Requirements', async () => {
    const { c: central, p: peripheral } = await hosts(
      { policy: { ioCapability: IoCapability.KeyboardDisplay } },
      { policy: { ioCapability: IoCapability.DisplayYesNo } },
    );
    try {
      const first = await connect(central, peripheral);
      expect((await first.c.pair()).authenticated).toBe(true);
      await first.c.disconnect();
      const kept = peripheral.security.bonds.get(central.address);

      const second = await connect(central, peripheral);
      let peripheralFailure = '';
      second.p.pair().catch((e: Error) => {
        peripheralFailure = e.message;
      });
      const error = await second.c
        .pair({ policy: { ioCapability: IoCapability.NoInputNoOutput } })
        .catch((e: unknown) => e);
      // Both sides keep the authenticated bond; the responder refuses first.
      expect(error).toBeInstanceOf(PairingError);
      expect((error as PairingError).reason).toBe(Reason.AuthenticationRequirements);
      expect((error as PairingError).by).toBe('peer');
      expect(peripheralFailure).toMatch(/authenticated key by an unauthenticated one/);
      expect(peripheral.security.bonds.get(central.address)).toEqual(kept);
      await second.c.disconnect().catch(() => undefined);

      // Unless the policy of both allows a weaker bond.
      const third = await connect(central, peripheral);
      const weaker = { ioCapability: IoCapability.NoInputNoOutput, allowWeakerBond: true };
      third.p.pair({ policy: weaker }).catch(() => undefined);
      const result = await third.c.pair({ policy: weaker });
      expect(result.authenticated).toBe(false);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('secure() pairs again when the kept bond does not meet the policy, and with forcePair', async () => {
    const { c: central, p: peripheral } = await hosts({}, {});
    try {
      const first = await connect(central, peripheral);
      expect((await first.c.secure()).kind).toBe('paired');
      await first.c.disconnect();
      const second = await connect(central, peripheral);
      // The bond is Just Works (NoInputNoOutput on both sides): a policy requiring MITM cannot use it.
      const refused = await second.c.secure({ policy: { requireMitm: true } }).catch((e: unknown) => e);
      expect((refused as PairingError).reason).toBe(Reason.AuthenticationRequirements);
      await second.c.disconnect().catch(() => undefined);
      const third = await connect(central, peripheral);
      expect((await third.c.secure({ forcePair: true })).kind).toBe('paired');
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });
});

describe('debug keys', () => {
  it('a pairing where the central used the debug key pair completes (the peer allows it) but neither side keeps a bond', async () => {
    const { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY } = await import('../../src/crypto/p256.js');
    const debugCrypto = {
      ...tb,
      generateKeyPair: () => ({ privateKey: DEBUG_PRIVATE_KEY.slice(), publicKey: DEBUG_PUBLIC_KEY.slice() }),
    };
    const { c: central, p: peripheral } = await virtualHosts(
      { crypto: debugCrypto },
      { policy: { allowDebugKeys: true } },
    );
    try {
      const { c, p } = await connectHosts(central, peripheral);
      const [ours, theirs] = await Promise.all([c.pair(), p.pair()]);
      expect(ours.debugKey).toBe(true);
      expect(theirs.debugKey).toBe(true);
      expect([...central.security.bonds.list()]).toEqual([]);
      expect([...peripheral.security.bonds.list()]).toEqual([]);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('the default policy refuses a peer on the debug key pair with Authentication Requirements (0x03)', async () => {
    const { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY } = await import('../../src/crypto/p256.js');
    const debugCrypto = {
      ...tb,
      generateKeyPair: () => ({ privateKey: DEBUG_PRIVATE_KEY.slice(), publicKey: DEBUG_PUBLIC_KEY.slice() }),
    };
    const { c: central, p: peripheral } = await virtualHosts({ crypto: debugCrypto }, {});
    try {
      const { c, p } = await connectHosts(central, peripheral);
      p.pair().catch(() => undefined);
      const error = await c.pair().catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: Reason.AuthenticationRequirements, by: 'peer' });
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });
});
