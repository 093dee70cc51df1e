/**
 * Policy defaults (smp-rules.md section 8), the ready-made delegates, and
 * repeated attempts (Core Vol 3 Part H 2.3.6; smp-rules.md section 7).
 */
import { describe, expect, it, vi } from 'vitest';
import {
  acceptAll,
  allowlist,
  answerPrompt,
  type DeviceAddress,
  fixedAnswers,
  formatAddress,
  type PairingDelegate,
  type Prompt,
  refuseAll,
} from '../../src/smp/delegate.js';
import type { PairingFeatures } from '../../src/smp/pdu.js';
import { DEFAULT_POLICY, type PairingPolicy, resolvePolicy } from '../../src/smp/policy.js';
import { RepeatedAttempts } from '../../src/smp/repeated-attempts.js';

/** d2:a7:4c:76:f3:e0 as people write it; wire order is least significant octet first. */
const PEER: DeviceAddress = { address: Uint8Array.of(0xe0, 0xf3, 0x76, 0x4c, 0xa7, 0xd2), type: 1 };
const OTHER: DeviceAddress = { address: Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0xc6), type: 1 };
const REQUEST: PairingFeatures = {
  ioCapability: 3,
  oobDataPresent: false,
  authReq: 0x0d,
  maxKeySize: 16,
  initiatorKeys: 0x03,
  responderKeys: 0x03,
};

describe('DEFAULT_POLICY: smp-rules.md section 8', () => {
  it('is Secure Connections only', () => {
    expect(DEFAULT_POLICY.allowLegacy).toBe(false);
    expect(DEFAULT_POLICY.secureConnections).toBe(true);
  });
  it('asks for a 16-octet key and accepts nothing smaller', () => {
    expect(DEFAULT_POLICY.minKeySize).toBe(16);
    expect(DEFAULT_POLICY.maxKeySize).toBe(16);
  });
  it('bonds, refuses debug keys, and has keypress off', () => {
    expect(DEFAULT_POLICY.bonding).toBe(true);
    expect(DEFAULT_POLICY.allowDebugKeys).toBe(false);
    expect(DEFAULT_POLICY.keypress).toBe(false);
  });
  it('uses valid IO capability and key masks', () => {
    expect(DEFAULT_POLICY.ioCapability).toBeGreaterThanOrEqual(0);
    expect(DEFAULT_POLICY.ioCapability).toBeLessThanOrEqual(4);
    for (const mask of [DEFAULT_POLICY.initiatorKeys, DEFAULT_POLICY.responderKeys]) {
      expect(Number.isInteger(mask) && mask >= 0 && mask <= 15).toBe(true);
    }
  });
  it('is frozen, so no module can weaken every session at once', () => {
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
    expect(() => {
      (DEFAULT_POLICY as { allowLegacy: boolean }).allowLegacy = true;
    }).toThrow(TypeError);
    expect(DEFAULT_POLICY.allowLegacy).toBe(false);
  });
});

describe('resolvePolicy', () => {
  it('with no changes gives the defaults, frozen', () => {
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy({})).toEqual(DEFAULT_POLICY);
    expect(Object.isFrozen(resolvePolicy())).toBe(true);
  });
  it('applies changes and leaves the rest at the defaults', () => {
    const policy = resolvePolicy({ allowLegacy: true, minKeySize: 7, ioCapability: 4 });
    expect(policy).toEqual({ ...DEFAULT_POLICY, allowLegacy: true, minKeySize: 7, ioCapability: 4 });
    expect(DEFAULT_POLICY.minKeySize).toBe(16);
  });
  it('accepts the boundaries', () => {
    expect(resolvePolicy({ minKeySize: 7, maxKeySize: 7 })).toMatchObject({ minKeySize: 7, maxKeySize: 7 });
    expect(resolvePolicy({ minKeySize: 7, maxKeySize: 16 })).toMatchObject({ minKeySize: 7, maxKeySize: 16 });
    for (let io = 0; io <= 4; io++) {
      expect(resolvePolicy({ ioCapability: io as PairingPolicy['ioCapability'] }).ioCapability).toBe(io);
    }
    expect(resolvePolicy({ initiatorKeys: 0, responderKeys: 15 })).toMatchObject({
      initiatorKeys: 0,
      responderKeys: 15,
    });
    expect(resolvePolicy({ secureConnections: false, allowLegacy: true }).secureConnections).toBe(false);
  });

  const refused: ReadonlyArray<readonly [field: string, changes: Partial<PairingPolicy>]> = [
    ['minKeySize', { minKeySize: 12, maxKeySize: 10 }],
    ['minKeySize', { minKeySize: 16, maxKeySize: 7 }],
    ['minKeySize', { minKeySize: 6 }],
    ['minKeySize', { minKeySize: 17 }],
    ['minKeySize', { minKeySize: 0 }],
    ['minKeySize', { minKeySize: 10.5 }],
    ['minKeySize', { minKeySize: Number.NaN }],
    ['maxKeySize', { minKeySize: 7, maxKeySize: 6 }],
    ['maxKeySize', { maxKeySize: 17 }],
    ['maxKeySize', { maxKeySize: 32 }],
    ['ioCapability', { ioCapability: 5 as PairingPolicy['ioCapability'] }],
    ['ioCapability', { ioCapability: -1 as PairingPolicy['ioCapability'] }],
    ['ioCapability', { ioCapability: 1.5 as PairingPolicy['ioCapability'] }],
    ['initiatorKeys', { initiatorKeys: 16 }],
    ['initiatorKeys', { initiatorKeys: -1 }],
    ['initiatorKeys', { initiatorKeys: 0xff }],
    ['responderKeys', { responderKeys: 16 }],
    ['responderKeys', { responderKeys: 2.5 }],
    ['secureConnections', { secureConnections: false }],
    ['secureConnections', { secureConnections: false, allowLegacy: false }],
  ];
  it.each(refused.map(([field, changes]) => [field, JSON.stringify(changes), changes] as const))(
    'refuses %s: %s',
    (field, _text, changes) => {
      expect(() => resolvePolicy(changes)).toThrow(TypeError);
      expect(() => resolvePolicy(changes)).toThrow(field);
    },
  );
});

/** A delegate that records every call and answers with distinct values. */
function recorder() {
  const calls: Array<[string, ...unknown[]]> = [];
  const delegate: PairingDelegate = {
    acceptPairing: (peer, request) => {
      calls.push(['acceptPairing', peer, request]);
      return true;
    },
    confirmJustWorks: (peer) => {
      calls.push(['confirmJustWorks', peer]);
      return false;
    },
    confirmNumber: async (peer, value) => {
      calls.push(['confirmNumber', peer, value]);
      return true;
    },
    displayPasskey: async (peer, passkey) => {
      calls.push(['displayPasskey', peer, passkey]);
    },
    enterPasskey: async (peer) => {
      calls.push(['enterPasskey', peer]);
      return 123456;
    },
    oobData: (peer, sc) => {
      calls.push(['oobData', peer, sc]);
      return { tk: new Uint8Array(16).fill(7) };
    },
  };
  return { calls, delegate };
}

describe('acceptAll and refuseAll', () => {
  it('acceptAll accepts, consents and confirms; cannot type a passkey; has no OOB data', async () => {
    expect(await acceptAll.acceptPairing(PEER, REQUEST)).toBe(true);
    expect(await acceptAll.confirmJustWorks(PEER)).toBe(true);
    expect(await acceptAll.confirmNumber(PEER, 123456)).toBe(true);
    expect(await acceptAll.displayPasskey(PEER, 123456)).toBeUndefined();
    expect(await acceptAll.enterPasskey(PEER)).toBeNull();
    expect(await acceptAll.oobData(PEER, true)).toBeNull();
    expect(await acceptAll.oobData(PEER, false)).toBeNull();
  });
  it('refuseAll refuses everything', async () => {
    expect(await refuseAll.acceptPairing(PEER, REQUEST)).toBe(false);
    expect(await refuseAll.confirmJustWorks(PEER)).toBe(false);
    expect(await refuseAll.confirmNumber(PEER, 123456)).toBe(false);
    expect(await refuseAll.displayPasskey(PEER, 123456)).toBeUndefined();
    expect(await refuseAll.enterPasskey(PEER)).toBeNull();
    expect(await refuseAll.oobData(PEER, true)).toBeNull();
  });
  it('both are frozen', () => {
    expect(Object.isFrozen(acceptAll)).toBe(true);
    expect(Object.isFrozen(refuseAll)).toBe(true);
  });
});

describe('allowlist', () => {
  it('lets a listed peer through to the inner delegate, matching the address most significant octet first', async () => {
    const { calls, delegate } = recorder();
    const gate = allowlist(['d2:a7:4c:76:f3:e0'], delegate);
    expect(await gate.acceptPairing(PEER, REQUEST)).toBe(true);
    expect(calls).toEqual([['acceptPairing', PEER, REQUEST]]);
  });
  it('matches case-insensitively', async () => {
    expect(await allowlist(['D2:A7:4C:76:F3:E0'], acceptAll).acceptPairing(PEER, REQUEST)).toBe(true);
    expect(await allowlist(['D2:a7:4C:76:f3:E0'], acceptAll).acceptPairing(PEER, REQUEST)).toBe(true);
  });
  it('refuses an unlisted peer without asking the inner delegate', async () => {
    const { calls, delegate } = recorder();
    const gate = allowlist(['d2:a7:4c:76:f3:e0'], delegate);
    expect(await gate.acceptPairing(OTHER, REQUEST)).toBe(false);
    expect(calls).toEqual([]);
  });
  it('does not match the address written in wire order', async () => {
    expect(await allowlist(['e0:f3:76:4c:a7:d2'], acceptAll).acceptPairing(PEER, REQUEST)).toBe(false);
  });
  it('an empty list refuses everyone', async () => {
    expect(await allowlist([], acceptAll).acceptPairing(PEER, REQUEST)).toBe(false);
  });
  it('the inner delegate still decides for a listed peer', async () => {
    expect(await allowlist(['d2:a7:4c:76:f3:e0'], refuseAll).acceptPairing(PEER, REQUEST)).toBe(false);
  });
  it('defaults to acceptAll inside', async () => {
    const gate = allowlist(['d2:a7:4c:76:f3:e0']);
    expect(await gate.acceptPairing(PEER, REQUEST)).toBe(true);
    expect(await gate.confirmJustWorks(PEER)).toBe(true);
    expect(await gate.enterPasskey(PEER)).toBeNull();
  });
  it('hands every other question to the inner delegate', async () => {
    const { calls, delegate } = recorder();
    const gate = allowlist(['d2:a7:4c:76:f3:e0'], delegate);
    expect(await gate.confirmJustWorks(OTHER)).toBe(false);
    expect(await gate.confirmNumber(PEER, 42)).toBe(true);
    expect(await gate.displayPasskey(PEER, 999999)).toBeUndefined();
    expect(await gate.enterPasskey(PEER)).toBe(123456);
    expect(await gate.oobData(PEER, true)).toEqual({ tk: new Uint8Array(16).fill(7) });
    expect(calls).toEqual([
      ['confirmJustWorks', OTHER],
      ['confirmNumber', PEER, 42],
      ['displayPasskey', PEER, 999999],
      ['enterPasskey', PEER],
      ['oobData', PEER, true],
    ]);
  });
  it('hands the other questions to an inner delegate written as a class (methods on the prototype)', async () => {
    class Kiosk implements PairingDelegate {
      readonly passkey = 654321;
      acceptPairing() {
        return true;
      }
      confirmJustWorks() {
        return false;
      }
      confirmNumber() {
        return false;
      }
      displayPasskey() {}
      enterPasskey() {
        return this.passkey;
      }
      oobData() {
        return null;
      }
    }
    const gate = allowlist(['d2:a7:4c:76:f3:e0'], new Kiosk());
    expect(typeof gate.confirmJustWorks).toBe('function');
    expect(typeof gate.enterPasskey).toBe('function');
    expect(await gate.acceptPairing(PEER, REQUEST)).toBe(true);
    expect(await gate.confirmJustWorks(PEER)).toBe(false);
    expect(await gate.enterPasskey(PEER)).toBe(654321);
  });
});

describe('fixedAnswers', () => {
  it('defaults: accept, consent, confirm; no passkey; no OOB data', async () => {
    const delegate = fixedAnswers({});
    expect(await delegate.acceptPairing(PEER, REQUEST)).toBe(true);
    expect(await delegate.confirmJustWorks(PEER)).toBe(true);
    expect(await delegate.confirmNumber(PEER, 1)).toBe(true);
    expect(await delegate.displayPasskey(PEER, 1)).toBeUndefined();
    expect(await delegate.enterPasskey(PEER)).toBeNull();
    expect(await delegate.oobData(PEER, true)).toBeNull();
  });
  it('gives the answers it was given', async () => {
    const oob = { random: new Uint8Array(16).fill(1), confirm: new Uint8Array(16).fill(2) };
    const delegate = fixedAnswers({
      accept: false,
      justWorks: false,
      confirmNumber: false,
      passkey: 123456,
      oob,
    });
    expect(await delegate.acceptPairing(PEER, REQUEST)).toBe(false);
    expect(await delegate.confirmJustWorks(PEER)).toBe(false);
    expect(await delegate.confirmNumber(PEER, 1)).toBe(false);
    expect(await delegate.enterPasskey(PEER)).toBe(123456);
    expect(await delegate.oobData(PEER, true)).toBe(oob);
  });
  it('passkey 0 is a passkey, not a cancel', async () => {
    expect(await fixedAnswers({ passkey: 0 }).enterPasskey(PEER)).toBe(0);
    expect(await fixedAnswers({ passkey: null }).enterPasskey(PEER)).toBeNull();
  });
  it('onShown sees every displayed passkey and every number confirmed', async () => {
    const onShown = vi.fn();
    const delegate = fixedAnswers({ onShown, confirmNumber: false });
    await delegate.displayPasskey(PEER, 0);
    expect(await delegate.confirmNumber(PEER, 987654)).toBe(false);
    await delegate.displayPasskey(PEER, 999999);
    expect(onShown.mock.calls).toEqual([
      ['passkey', 0],
      ['number', 987654],
      ['passkey', 999999],
    ]);
  });
  it('onShown is not called for the other questions', async () => {
    const onShown = vi.fn();
    const delegate = fixedAnswers({ onShown, passkey: 5 });
    await delegate.acceptPairing(PEER, REQUEST);
    await delegate.confirmJustWorks(PEER);
    await delegate.enterPasskey(PEER);
    await delegate.oobData(PEER, false);
    expect(onShown).not.toHaveBeenCalled();
  });
});

describe('answerPrompt routes each prompt kind', () => {
  const prompts: ReadonlyArray<readonly [Prompt, unknown, [string, ...unknown[]]]> = [
    [{ kind: 'accept', peer: PEER, request: REQUEST }, true, ['acceptPairing', PEER, REQUEST]],
    [{ kind: 'just-works', peer: PEER }, false, ['confirmJustWorks', PEER]],
    [{ kind: 'confirm-number', peer: PEER, value: 42 }, true, ['confirmNumber', PEER, 42]],
    [{ kind: 'display-passkey', peer: PEER, passkey: 999999 }, undefined, ['displayPasskey', PEER, 999999]],
    [{ kind: 'enter-passkey', peer: PEER }, 123456, ['enterPasskey', PEER]],
  ];
  it.each(prompts.map(([prompt, answer, call]) => [prompt.kind, prompt, answer, call] as const))(
    '%s',
    async (_kind, prompt, answer, call) => {
      const { calls, delegate } = recorder();
      // A value or a promise of one, as the delegate gives it.
      expect(await answerPrompt(delegate, prompt)).toEqual(answer);
      expect(calls).toEqual([call]);
    },
  );
  it("an awaited display-passkey answer waits for the delegate's promise", async () => {
    let shown = false;
    const delegate: PairingDelegate = {
      ...acceptAll,
      displayPasskey: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            shown = true;
            resolve();
          }, 5),
        ),
    };
    await answerPrompt(delegate, { kind: 'display-passkey', peer: PEER, passkey: 1 });
    expect(shown).toBe(true);
  });
  it('passes a delegate error on as a rejection', async () => {
    const delegate: PairingDelegate = {
      ...acceptAll,
      enterPasskey: () => {
        throw new Error('keyboard unplugged');
      },
    };
    // Thrown or rejected, the error reaches the caller that awaits the answer.
    await expect(async () => answerPrompt(delegate, { kind: 'enter-passkey', peer: PEER })).rejects.toThrow(
      'keyboard unplugged',
    );
  });
});

describe('formatAddress', () => {
  it('writes the wire-order address most significant octet first, lower case, colon separated', () => {
    expect(formatAddress(PEER.address)).toBe('d2:a7:4c:76:f3:e0');
    expect(formatAddress(Uint8Array.of(0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a))).toBe('0a:0b:0c:0d:0e:0f');
    expect(formatAddress(new Uint8Array(6))).toBe('00:00:00:00:00:00');
    expect(formatAddress(new Uint8Array(6).fill(0xff))).toBe('ff:ff:ff:ff:ff:ff');
  });
  it('does not reverse its argument in place', () => {
    const address = Uint8Array.of(1, 2, 3, 4, 5, 6);
    formatAddress(address);
    expect(Array.from(address)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('RepeatedAttempts with an injected clock', () => {
  function clocked(options: { baseMs?: number; maxMs?: number } = {}) {
    let time = 1_000_000;
    const attempts = new RepeatedAttempts({ ...options, now: () => time });
    return {
      attempts,
      advance: (ms: number) => {
        time += ms;
      },
    };
  }
  const peer = 'd2:a7:4c:76:f3:e0';

  it('no wait before any failure', () => {
    const { attempts } = clocked();
    expect(attempts.waitMs(peer)).toBe(0);
  });
  it('2 s after the first failure, 4 s after the second, 8 s after the third', () => {
    const { attempts } = clocked();
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(2_000);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(4_000);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(8_000);
  });
  it('each wait runs from the latest failure; a failure soon after the wait doubles it, one long after starts over', () => {
    const { attempts, advance } = clocked();
    attempts.recordFailure(peer);
    advance(3_000); // the 2 s wait has passed, less than as long again
    expect(attempts.waitMs(peer)).toBe(0);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(4_000);
    advance(10_000); // the 4 s wait and as long again: the peer is forgotten (bounded memory)
    expect(attempts.waitMs(peer)).toBe(0);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(2_000);
  });
  it('the wait decreases as the clock advances, and never goes below 0', () => {
    const { attempts, advance } = clocked();
    attempts.recordFailure(peer);
    advance(500);
    expect(attempts.waitMs(peer)).toBe(1_500);
    advance(1_499);
    expect(attempts.waitMs(peer)).toBe(1);
    advance(1);
    expect(attempts.waitMs(peer)).toBe(0);
    advance(60_000);
    expect(attempts.waitMs(peer)).toBe(0);
  });
  it('is capped at maxMs', () => {
    const { attempts } = clocked({ maxMs: 5_000 });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      attempts.recordFailure(peer);
      waits.push(attempts.waitMs(peer));
    }
    expect(waits).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
  });
  it('is capped at 120 s by default, even after very many failures', () => {
    const { attempts } = clocked();
    for (let i = 0; i < 2_000; i++) attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(120_000);
  });
  it('honours baseMs', () => {
    const { attempts } = clocked({ baseMs: 100 });
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(100);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(200);
  });
  it('recordSuccess clears the record: no wait, and the next failure starts again at 2 s', () => {
    const { attempts } = clocked();
    attempts.recordFailure(peer);
    attempts.recordFailure(peer);
    attempts.recordFailure(peer);
    attempts.recordSuccess(peer);
    expect(attempts.waitMs(peer)).toBe(0);
    attempts.recordFailure(peer);
    expect(attempts.waitMs(peer)).toBe(2_000);
  });
  it('keeps peers apart', () => {
    const { attempts } = clocked();
    attempts.recordFailure(peer);
    attempts.recordFailure(peer);
    attempts.recordFailure('c6:05:04:03:02:01');
    expect(attempts.waitMs(peer)).toBe(4_000);
    expect(attempts.waitMs('c6:05:04:03:02:01')).toBe(2_000);
    attempts.recordSuccess('c6:05:04:03:02:01');
    expect(attempts.waitMs(peer)).toBe(4_000);
    expect(attempts.waitMs('unknown')).toBe(0);
  });
  it('uses the real clock by default', () => {
    const attempts = new RepeatedAttempts();
    attempts.recordFailure(peer);
    const wait = attempts.waitMs(peer);
    expect(wait).toBeGreaterThan(1_000);
    expect(wait).toBeLessThanOrEqual(2_000);
  });
});
