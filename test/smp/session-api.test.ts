import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { Reason } from '../../src/smp/constants.js';
import { acceptAll } from '../../src/smp/delegate.js';
import { pairInMemorySync } from '../../src/smp/loopback.js';
import { PairingSession } from '../../src/smp/session.js';
import type { SessionInput, SessionOutput } from '../../src/smp/session-types.js';

const a = { address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 as const };
const b = { address: Uint8Array.of(6, 5, 4, 3, 2, 1), type: 0 as const };
const session = (role: 'initiator' | 'responder') =>
  new PairingSession({
    role,
    local: role === 'initiator' ? a : b,
    peer: role === 'initiator' ? b : a,
    crypto: toolbox(nodeBackend),
  });

describe('host programming errors throw at once and change nothing', () => {
  it.each<[string, 'initiator' | 'responder', SessionInput, RegExp]>([
    ['start on a responder', 'responder', { type: 'start' }, /only the initiator takes 'start'/],
    ['request-security on an initiator', 'initiator', { type: 'request-security' }, /only the responder/],
    [
      'a keypress type above 4',
      'initiator',
      { type: 'keypress', notification: 5 as 0 },
      /keypress notification must be 0..4/,
    ],
    [
      'pdu data that is not a Uint8Array',
      'responder',
      { type: 'pdu', data: [1, 2] as unknown as Uint8Array },
      /Uint8Array/,
    ],
    ['an unknown input', 'initiator', { type: 'bogus' } as unknown as SessionInput, /unknown input "bogus"/],
  ])('%s', (_name, role, input, message) => {
    const s = session(role);
    expect(() => s.handle(input)).toThrow(TypeError);
    expect(() => s.handle(input)).toThrow(message);
    expect(s.phase).toBe('idle');
    if (role === 'initiator') {
      const sent = s.handle({ type: 'start' }).filter((o) => o.type === 'send');
      expect(sent.map((o) => o.type === 'send' && o.pdu.type)).toEqual(['pairing-request']);
    }
  });
});

describe('the key size the controller reports', () => {
  /** Drives an SC Just Works pairing to the point where the initiator asks for encryption. */
  function untilEncryption(): { initiator: PairingSession; out: SessionOutput[] } {
    const initiator = session('initiator');
    const responder = session('responder');
    const queue: ['i' | 'r', SessionInput][] = [['i', { type: 'start' }]];
    let out: SessionOutput[] = [];
    while (queue.length) {
      const [who, input] = queue.shift()!;
      const outputs = (who === 'i' ? initiator : responder).handle(input);
      if (who === 'i') out = out.concat(outputs);
      for (const o of outputs) {
        if (o.type === 'send') queue.push([who === 'i' ? 'r' : 'i', { type: 'pdu', data: o.data }]);
        if (o.type === 'prompt') queue.push([who, { type: 'answer', id: o.id, value: true }]);
      }
      if (out.some((o) => o.type === 'start-encryption')) break;
    }
    return { initiator, out };
  }

  it('completes when it matches the negotiated size', () => {
    const { initiator } = untilEncryption();
    initiator.handle({ type: 'acknowledged' });
    const out = initiator.handle({ type: 'encrypted', keySize: 16 });
    expect(out.map((o) => o.type)).toContain('completed');
  });

  it('fails with Encryption Key Size (0x06) when it does not', () => {
    const { initiator } = untilEncryption();
    const out = initiator.handle({ type: 'encrypted', keySize: 7 });
    const failed = out.find((o) => o.type === 'failed');
    expect(failed?.type === 'failed' && failed.failure).toMatchObject({
      reason: Reason.EncryptionKeySize,
      by: 'local',
    });
  });
});

describe('completion waits for the controller to acknowledge our last PDU (smp-rules.md 6)', () => {
  it.each(['initiator', 'responder'] as const)('%s: no completed until acknowledged', (role) => {
    const identity = (address: typeof a) => ({ identity: { address } });
    const initiator = new PairingSession({
      role: 'initiator',
      local: a,
      peer: b,
      crypto: toolbox(nodeBackend),
      ...identity(a),
    });
    const responder = new PairingSession({
      role: 'responder',
      local: b,
      peer: a,
      crypto: toolbox(nodeBackend),
      ...identity(b),
    });
    const sessions = { initiator, responder };
    const other = (r: 'initiator' | 'responder') => (r === 'initiator' ? 'responder' : 'initiator');
    const completedAt: Record<string, number> = {};
    let step = 0;
    // Deliver everything, but acknowledge nothing for the side under test until the very end.
    const queue: ['initiator' | 'responder', SessionInput][] = [['initiator', { type: 'start' }]];
    let key: Uint8Array | null = null;
    while (queue.length) {
      const [who, input] = queue.shift()!;
      for (const o of sessions[who].handle(input)) {
        step++;
        if (o.type === 'send') {
          queue.push([other(who), { type: 'pdu', data: o.data }]);
          if (who !== role) queue.push([who, { type: 'acknowledged' }]);
        }
        if (o.type === 'prompt') queue.push([who, { type: 'answer', id: o.id, value: true }]);
        if (o.type === 'provide-key') key = o.key;
        if (o.type === 'start-encryption') {
          expect(o.key).toEqual(key);
          queue.push(['initiator', { type: 'encrypted' }], ['responder', { type: 'encrypted' }]);
        }
        if (o.type === 'completed') completedAt[who] = step;
      }
    }
    expect(completedAt[other(role)]).toBeDefined();
    expect(completedAt[role]).toBeUndefined();
    expect(sessions[role].phase).toBe('distributing');
    const out = sessions[role].handle({ type: 'acknowledged' });
    expect(out.map((o) => o.type)).toEqual(['timer', 'completed']);
  });
});

describe('the loopback takes each side its own role', () => {
  const address = (last: number) => ({ address: Uint8Array.of(1, 2, 3, 4, 5, last), type: 0 as const });
  const side = (local: number, peer: number, extra: object = {}) => ({
    options: { local: address(local), peer: address(peer), crypto: toolbox(nodeBackend), ...extra },
    delegate: acceptAll,
  });

  it('pairs two sides whose options hold no role, or their own', () => {
    for (const [initiatorExtra, responderExtra] of [
      [{}, {}],
      [{ role: 'initiator' }, { role: 'responder' }],
    ]) {
      const run = pairInMemorySync(side(1, 2, initiatorExtra), side(2, 1, responderExtra));
      expect([run.initiator.status, run.responder.status]).toEqual(['completed', 'completed']);
    }
  });

  it("refuses options that name the other side's role instead of pairing two of a kind", () => {
    expect(() => pairInMemorySync(side(1, 2, { role: 'responder' }), side(2, 1))).toThrow(
      "pairInMemory: the initiator's options say role 'responder'",
    );
    expect(() => pairInMemorySync(side(1, 2), side(2, 1, { role: 'initiator' }))).toThrow(
      "pairInMemory: the responder's options say role 'initiator'",
    );
  });
});
