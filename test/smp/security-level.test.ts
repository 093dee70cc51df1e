import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/smp/policy.js';
import { meetsPolicy, weakens } from '../../src/smp/security-level.js';

const level = (secureConnections: boolean, authenticated: boolean, keySize = 16) => ({
  secureConnections,
  authenticated,
  keySize,
});

describe('security levels', () => {
  it('weakens: authenticated > unauthenticated, SC > legacy, longer > shorter; equal or stronger is fine', () => {
    expect(weakens(level(true, true), level(true, false))).toMatch(/authenticated key by an unauthenticated/);
    expect(weakens(level(true, false), level(false, false))).toMatch(/Secure Connections key by a legacy/);
    expect(weakens(level(false, false, 16), level(false, false, 10))).toBe(
      'a 16-octet key by a 10-octet one',
    );
    expect(weakens(level(true, false), level(true, false))).toBeUndefined();
    expect(weakens(level(false, false, 7), level(true, true, 16))).toBeUndefined();
    // An authenticated legacy bond by an unauthenticated SC one: still a loss of MITM protection.
    expect(weakens(level(false, true), level(true, false))).toMatch(/authenticated/);
  });

  it('meetsPolicy: MITM when required, SC unless legacy allowed, the minimum key size', () => {
    expect(meetsPolicy(level(true, false), resolvePolicy())).toBe(true);
    expect(meetsPolicy(level(true, false), resolvePolicy({ requireMitm: true }))).toBe(false);
    expect(meetsPolicy(level(true, true), resolvePolicy({ requireMitm: true }))).toBe(true);
    expect(meetsPolicy(level(false, true), resolvePolicy())).toBe(false);
    expect(meetsPolicy(level(false, true), resolvePolicy({ allowLegacy: true }))).toBe(true);
    expect(meetsPolicy(level(true, true, 12), resolvePolicy())).toBe(false);
    expect(meetsPolicy(level(true, true, 12), resolvePolicy({ minKeySize: 12 }))).toBe(true);
  });
});

describe('fixedPasskey', () => {
  it('is displayed instead of a random passkey, and refused outside 0..999999', async () => {
    const { PairingSession } = await import('../../src/smp/session.js');
    const { pairInMemory } = await import('../../src/smp/loopback.js');
    const { fixedAnswers } = await import('../../src/smp/delegate.js');
    const { IoCapability } = await import('../../src/smp/constants.js');
    const a = { address: Uint8Array.of(1, 2, 3, 4, 5, 0xc6), type: 1 as const };
    const b = { address: Uint8Array.of(6, 5, 4, 3, 2, 0xc1), type: 1 as const };
    let shown = -1;
    const run = await pairInMemory(
      {
        options: { local: a, peer: b, policy: { ioCapability: IoCapability.KeyboardOnly } },
        delegate: fixedAnswers({ passkey: 42 }),
      },
      {
        options: { local: b, peer: a, policy: { ioCapability: IoCapability.DisplayOnly }, fixedPasskey: 42 },
        delegate: fixedAnswers({ onShown: (_kind, value) => (shown = value) }),
      },
    );
    expect(shown).toBe(42);
    expect(run.initiator).toMatchObject({ status: 'completed', result: { model: 'passkey' } });
    for (const fixedPasskey of [-1, 1_000_000, 1.5]) {
      expect(() => new PairingSession({ role: 'responder', local: a, peer: b, fixedPasskey })).toThrow(
        TypeError,
      );
    }
  });
});
