import { describe, expect, it } from 'vitest';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { fixedAnswers } from '../../src/smp/delegate.js';
import { type AgentDecision, HeadlessAgent } from '../../src/smp/headless-agent.js';
import { type LoopbackSide, pairInMemory } from '../../src/smp/loopback.js';

const STRANGER = { address: Uint8Array.of(0x66, 0x55, 0x44, 0x33, 0x22, 0x11), type: 0 as const };
const FRIEND = { address: Uint8Array.of(0x70, 0x50, 0x15, 0xeb, 0x27, 0xb8), type: 0 as const };

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('HeadlessAgent', () => {
  it('opens a window of windowMs on approve(); outside it only allowlisted peers are accepted', () => {
    const time = clock();
    const decisions: AgentDecision[] = [];
    const agent = new HeadlessAgent({
      allowlist: ['B8:27:EB:15:50:70'],
      windowMs: 30_000,
      now: time.now,
      onDecision: (d) => decisions.push(d),
    });
    const request = {} as never;
    expect(agent.acceptPairing(STRANGER, request)).toBe(false);
    expect(agent.acceptPairing(FRIEND, request)).toBe(true);
    agent.approve();
    expect(agent.windowRemainingMs).toBe(30_000);
    expect(agent.confirmJustWorks(STRANGER)).toBe(true);
    time.advance(29_999);
    expect(agent.confirmNumber(STRANGER, 123456)).toBe(true);
    time.advance(1);
    expect(agent.windowRemainingMs).toBe(0);
    expect(agent.confirmNumber(STRANGER, 123456)).toBe(false);
    expect(agent.confirmJustWorks(FRIEND)).toBe(true);
    agent.approve(5_000);
    agent.close();
    expect(agent.acceptPairing(STRANGER, request)).toBe(false);
    expect(agent.enterPasskey(STRANGER)).toBeNull();
    expect(decisions.map((d) => `${d.kind}:${d.allowed}:${d.why}`)).toEqual([
      'accept:false:closed',
      'accept:true:allowlist',
      'just-works:true:window',
      'confirm-number:true:window',
      'confirm-number:false:closed',
      'just-works:true:allowlist',
      'accept:false:closed',
      'enter-passkey:false:no-keyboard',
    ]);
  });

  it('an allowlist entry with a type matches that type only; bad entries and durations are refused', () => {
    const agent = new HeadlessAgent({ allowlist: [{ ...FRIEND, type: 1 }], now: () => 0 });
    expect(agent.allows({ ...FRIEND, type: 1 })).toBe('allowlist');
    expect(agent.allows(FRIEND)).toBe('closed');
    expect(() => new HeadlessAgent({ allowlist: ['b8:27:eb'] })).toThrow(TypeError);
    expect(() => new HeadlessAgent({ windowMs: 0 })).toThrow(TypeError);
    expect(() => agent.approve(-1)).toThrow(TypeError);
  });

  it('advertises DisplayOnly when it can show a passkey, else NoInputNoOutput', () => {
    expect(new HeadlessAgent().policy.ioCapability).toBe(IoCapability.NoInputNoOutput);
    expect(new HeadlessAgent({ displayPasskey: () => undefined }).policy.ioCapability).toBe(
      IoCapability.DisplayOnly,
    );
  });

  it('in a pairing: refused with 0x05 while closed; passkey shown by callback and typed in the window', async () => {
    const time = clock();
    let shown = -1;
    const agent = new HeadlessAgent({ now: time.now, displayPasskey: (_p, passkey) => (shown = passkey) });
    const a = { address: Uint8Array.of(1, 2, 3, 4, 5, 0xc6), type: 1 as const };
    const b = { address: Uint8Array.of(6, 5, 4, 3, 2, 0xc1), type: 1 as const };
    const central = (): LoopbackSide => ({
      options: { local: a, peer: b, policy: { ioCapability: IoCapability.KeyboardOnly } },
      delegate: { ...fixedAnswers({}), enterPasskey: () => shown },
    });
    const peripheral: LoopbackSide = {
      options: { local: b, peer: a, policy: agent.policy },
      delegate: agent,
    };

    const closed = await pairInMemory(central(), peripheral);
    expect(closed.responder).toMatchObject({
      status: 'failed',
      failure: { reason: Reason.PairingNotSupported },
    });
    expect(closed.initiator).toMatchObject({
      status: 'failed',
      failure: { reason: Reason.PairingNotSupported },
    });

    agent.approve();
    const open = await pairInMemory(central(), peripheral);
    expect(open.initiator).toMatchObject({
      status: 'completed',
      result: { model: 'passkey', authenticated: true },
    });
    expect(shown).toBeGreaterThanOrEqual(0);
  });
});
