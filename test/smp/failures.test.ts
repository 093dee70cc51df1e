/**
 * Every way a pairing fails (smp-rules.md sections 4-7, Core Vol 3 Part H
 * 2.3, 3.3-3.6), each with its reason code. For each failure the test checks:
 * the failing side's `failed` output (the reason, by: 'local'); that it sent
 * exactly one Pairing Failed PDU with that reason (none for a timeout); that
 * the other side, where there is one, fails with by: 'peer' and the same
 * reason; and that after the failure neither session answers any input.
 */
import { describe, expect, it } from 'vitest';
import type { P256KeyPair } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { fromHex, reverse } from '../../src/crypto/bytes.js';
import { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY, isValidPublicKey } from '../../src/crypto/p256.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import {
  AuthReq,
  acceptAll,
  type DeviceAddress,
  decodePdu,
  encodePdu,
  IoCapability,
  KeyDist,
  type PairingFeatures,
  type PairingPolicy,
  PairingSession,
  pairInMemory,
  Reason,
  RepeatedAttempts,
  type Role,
  type SessionInput,
  type SessionOptions,
  type SessionOutput,
  type SmpPdu,
} from '../../src/smp/index.js';

const crypto = toolbox(nodeBackend);

/** The two devices of the seed trace: B8:27:EB:15:50:70 (public) and D2:A7:4C:76:F3:E0 (static random). */
const CENTRAL: DeviceAddress = { address: reverse(fromHex('b827eb155070')), type: 0 };
const PERIPHERAL: DeviceAddress = { address: reverse(fromHex('d2a74c76f3e0')), type: 1 };

const LEGACY: Partial<PairingPolicy> = { allowLegacy: true, secureConnections: false };

const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);

function flipBit(data: Uint8Array, index: number): Uint8Array {
  const copy = data.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

const other = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator');

// ------------------------------------------------------------------ helpers

function features(changes: Partial<PairingFeatures> = {}): PairingFeatures {
  return {
    ioCapability: IoCapability.NoInputNoOutput,
    oobDataPresent: false,
    authReq: AuthReq.Bonding | AuthReq.Mitm | AuthReq.SecureConnections,
    maxKeySize: 16,
    initiatorKeys: KeyDist.EncKey | KeyDist.IdKey,
    responderKeys: KeyDist.EncKey | KeyDist.IdKey,
    ...changes,
  };
}

const request = (changes: Partial<PairingFeatures> = {}): SmpPdu => ({
  type: 'pairing-request',
  ...features(changes),
});
const response = (changes: Partial<PairingFeatures> = {}): SmpPdu => ({
  type: 'pairing-response',
  ...features(changes),
});

function sessionOptions(role: Role, changes: Partial<SessionOptions> = {}): SessionOptions {
  const [local, peer] = role === 'initiator' ? [CENTRAL, PERIPHERAL] : [PERIPHERAL, CENTRAL];
  return { role, local, peer, crypto, identity: { address: local }, ...changes };
}

/** The `failure` of every `failed` output. */
const failuresOf = (outputs: readonly SessionOutput[]) =>
  outputs.flatMap((o) => (o.type === 'failed' ? [o.failure] : []));

/** The reason of every Pairing Failed PDU sent. */
const pairingFailedSent = (outputs: readonly SessionOutput[]) =>
  outputs.flatMap((o) => (o.type === 'send' && o.pdu.type === 'pairing-failed' ? [o.pdu.reason] : []));

/** The PDU types sent, in order. */
const sentTypes = (outputs: readonly SessionOutput[]) =>
  outputs.flatMap((o) => (o.type === 'send' ? [o.pdu.type] : []));

const PROBE_KEY: P256KeyPair = crypto.generateKeyPair();

/** Every kind of input a session can get, including PDUs that would start or advance a pairing. */
function probes(role: Role): SessionInput[] {
  const pdus: SmpPdu[] = [
    request(),
    response(),
    { type: 'pairing-confirm', value: bytes(16, 1) },
    { type: 'pairing-random', value: bytes(16, 2) },
    { type: 'pairing-failed', reason: Reason.UnspecifiedReason },
    { type: 'encryption-information', ltk: bytes(16, 3) },
    { type: 'central-identification', ediv: 0x1234, rand: bytes(8, 4) },
    { type: 'identity-information', irk: bytes(16, 5) },
    { type: 'identity-address-information', addressType: 0, address: CENTRAL.address },
    { type: 'signing-information', csrk: bytes(16, 6) },
    { type: 'security-request', authReq: AuthReq.Bonding | AuthReq.Mitm },
    { type: 'pairing-public-key', publicKey: PROBE_KEY.publicKey },
    { type: 'pairing-dhkey-check', value: bytes(16, 7) },
    { type: 'keypress-notification', notification: 1 },
  ];
  const inputs: SessionInput[] = [
    ...pdus.map((pdu): SessionInput => ({ type: 'pdu', data: encodePdu(pdu) })),
    { type: 'pdu', data: Uint8Array.of(0x0f, 0x00) }, // reserved code
    { type: 'pdu', data: Uint8Array.of(0x01, 0x03, 0x00) }, // malformed Pairing Request
    { type: 'pdu', data: Uint8Array.of(0x0b) }, // malformed Security Request
    { type: 'pdu', data: new Uint8Array(0) },
    { type: 'encrypted' },
    { type: 'encrypted', keySize: 16 },
    { type: 'encryption-failed' },
    { type: 'timeout' },
    { type: 'acknowledged' },
    { type: 'keypress', notification: 1 },
    role === 'initiator' ? { type: 'start' } : { type: 'request-security' },
  ];
  for (let id = 0; id <= 8; id++) {
    inputs.push({ type: 'answer', id, value: true }, { type: 'answer', id, value: 123456 });
  }
  return inputs;
}

/** After a failure the session is silent: no output for any input, and it stays failed. */
function expectSilence(session: PairingSession): void {
  expect(session.phase).toBe('failed');
  for (const input of probes(session.role)) {
    expect(session.handle(input), `${session.role} answered ${JSON.stringify(input)}`).toEqual([]);
  }
  expect(session.phase).toBe('failed');
}

/** One side's outputs show that it failed the pairing itself with `reason`, and nothing after. */
function expectLocalFailure(outputs: readonly SessionOutput[], reason: number): void {
  expect(failuresOf(outputs)).toEqual([{ reason, by: 'local', timeout: false, message: expect.any(String) }]);
  expect(pairingFailedSent(outputs)).toEqual([reason]);
  expect(outputs.at(-1)?.type).toBe('failed');
  const lastSend = outputs.findLastIndex((o) => o.type === 'send');
  const failedSend = outputs.findIndex((o) => o.type === 'send' && o.pdu.type === 'pairing-failed');
  expect(lastSend, 'the Pairing Failed PDU is the last PDU sent').toBe(failedSend);
  expect(outputs.some((o) => o.type === 'completed')).toBe(false);
}

/** One side's outputs show that the peer failed the pairing with `reason`. */
function expectPeerFailure(outputs: readonly SessionOutput[], reason: number): void {
  expect(failuresOf(outputs)).toEqual([{ reason, by: 'peer', timeout: false, message: expect.any(String) }]);
  expect(pairingFailedSent(outputs)).toEqual([]);
  expect(outputs.at(-1)?.type).toBe('failed');
  expect(outputs.some((o) => o.type === 'completed')).toBe(false);
}

// ------------------------------------------- a session driven by hand

/** One session fed by hand; keeps every output. */
class Driver {
  readonly outputs: SessionOutput[] = [];
  readonly session: PairingSession;

  constructor(options: SessionOptions) {
    this.session = new PairingSession(options);
  }

  feed(input: SessionInput): SessionOutput[] {
    const out = this.session.handle(input);
    this.outputs.push(...out);
    return out;
  }

  pdu(pdu: SmpPdu | Uint8Array): SessionOutput[] {
    return this.feed({ type: 'pdu', data: pdu instanceof Uint8Array ? pdu : encodePdu(pdu) });
  }

  /** Answers the latest prompt of this kind. */
  answer(kind: string, value: unknown): SessionOutput[] {
    const prompt = this.outputs.findLast((o) => o.type === 'prompt' && o.prompt.kind === kind);
    if (prompt?.type !== 'prompt') throw new Error(`no ${kind} prompt in ${JSON.stringify(this.outputs)}`);
    return this.feed({ type: 'answer', id: prompt.id, value });
  }

  expectFailed(reason: number): void {
    expectLocalFailure(this.outputs, reason);
    expectSilence(this.session);
  }
}

/** A responder that has accepted a Pairing Request and sent its Pairing Response. */
function acceptedResponder(changes: Partial<SessionOptions> = {}, req: SmpPdu = request()): Driver {
  const responder = new Driver(sessionOptions('responder', changes));
  expect(responder.pdu(req)).toEqual([expect.objectContaining({ type: 'prompt' })]);
  expect(sentTypes(responder.answer('accept', true))).toContain('pairing-response');
  return responder;
}

// ------------------------------------------- two sessions wired together

interface User {
  readonly accept?: boolean;
  readonly justWorks?: boolean;
  readonly confirmNumber?: boolean;
  /** What the user types, given the passkey the other side shows (if it shows one); null cancels. */
  readonly passkey?: (shown: number | undefined) => number | null;
}

interface LinkOptions {
  readonly initiator?: Partial<SessionOptions>;
  readonly responder?: Partial<SessionOptions>;
  readonly users?: Partial<Record<Role, User>>;
  /** Rewrite (or drop, with null) a PDU in flight. */
  readonly tamper?: (from: Role, data: Uint8Array) => Uint8Array | null;
  /** Whether the "controller" encrypts the link when asked (default true). */
  readonly encrypt?: boolean;
  /** A PDU delivered to the receiver before every real one (e.g. a reserved code). */
  readonly noise?: Uint8Array;
  /**
   * When the controller reports our PDUs as sent (Number of Completed Packets):
   * 'immediate' (as pairInMemory) or 'late', once nothing else is in flight, as
   * in the seed trace, where the peer's Pairing Failed came before the count.
   * The initiator's last key PDU completes its pairing when acknowledged, so a
   * Pairing Failed that the responder sends about the initiator's keys reaches
   * the initiator only when the acknowledgement is late.
   */
  readonly acks?: 'immediate' | 'late';
  /**
   * Hand each PDU to the session in one reused receive Buffer, as a host that
   * reads L2CAP frames into a fixed buffer does (Buffer#slice shares memory).
   */
  readonly receiveBuffer?: boolean;
}

interface Link {
  readonly sessions: Record<Role, PairingSession>;
  readonly outputs: Record<Role, SessionOutput[]>;
  /** Every PDU as its sender produced it (before any tampering). */
  readonly sent: Array<{ from: Role; pdu: SmpPdu }>;
}

/**
 * Like pairInMemory, but synchronous, with scripted users, and it hands back
 * the sessions so the test can keep talking to them after the run.
 */
function pair(options: LinkOptions = {}): Link {
  const sessions: Record<Role, PairingSession> = {
    initiator: new PairingSession(sessionOptions('initiator', options.initiator)),
    responder: new PairingSession(sessionOptions('responder', options.responder)),
  };
  const outputs: Record<Role, SessionOutput[]> = { initiator: [], responder: [] };
  const sent: Link['sent'] = [];
  const queue: Array<{ role: Role; input: SessionInput }> = [{ role: 'initiator', input: { type: 'start' } }];
  const lateAcks = new Set<Role>();
  const receiveBuffer = Buffer.alloc(72);
  /** Passkey entry waits until nothing else is in flight: the user types what the other side shows. */
  const typing: Array<{ role: Role; id: number }> = [];
  let shown: number | undefined;
  let providedKey: Uint8Array | null = null;
  for (let steps = 0; queue.length > 0 || typing.length > 0 || lateAcks.size > 0; steps++) {
    if (steps > 10_000) throw new Error('the pairing does not settle');
    if (queue.length === 0 && typing.length > 0) {
      const { role, id } = typing.shift()!;
      const user = options.users?.[role] ?? {};
      const value = user.passkey ? user.passkey(shown) : (shown ?? null);
      queue.push({ role, input: { type: 'answer', id, value } });
    }
    if (queue.length === 0) {
      for (const role of lateAcks) queue.push({ role, input: { type: 'acknowledged' } });
      lateAcks.clear();
    }
    const { role, input } = queue.shift()!;
    const user = options.users?.[role] ?? {};
    let delivered = input;
    if (options.receiveBuffer && input.type === 'pdu') {
      receiveBuffer.fill(0xee);
      receiveBuffer.set(input.data);
      delivered = { type: 'pdu', data: receiveBuffer.subarray(0, input.data.length) };
    }
    for (const output of sessions[role].handle(delivered)) {
      outputs[role].push(output);
      switch (output.type) {
        case 'send': {
          sent.push({ from: role, pdu: output.pdu });
          const data = options.tamper ? options.tamper(role, output.data) : output.data;
          if (options.noise) queue.push({ role: other(role), input: { type: 'pdu', data: options.noise } });
          if (data) queue.push({ role: other(role), input: { type: 'pdu', data } });
          if (options.acks === 'late') lateAcks.add(role);
          else queue.push({ role, input: { type: 'acknowledged' } });
          break;
        }
        case 'provide-key':
          providedKey = output.key;
          break;
        case 'start-encryption': {
          if (options.encrypt === false) break;
          const ok = providedKey !== null && Buffer.from(providedKey).equals(Buffer.from(output.key));
          for (const r of ['initiator', 'responder'] as const) {
            queue.push({ role: r, input: ok ? { type: 'encrypted' } : { type: 'encryption-failed' } });
          }
          break;
        }
        case 'prompt': {
          const { id, prompt } = output;
          let value: unknown;
          switch (prompt.kind) {
            case 'display-passkey':
              shown = prompt.passkey;
              continue;
            case 'accept':
              value = user.accept ?? true;
              break;
            case 'just-works':
              value = user.justWorks ?? true;
              break;
            case 'confirm-number':
              value = user.confirmNumber ?? true;
              break;
            case 'enter-passkey':
              typing.push({ role, id });
              continue;
          }
          queue.push({ role, input: { type: 'answer', id, value } });
          break;
        }
        default:
          break;
      }
    }
  }
  return { sessions, outputs, sent };
}

/** `side` failed the pairing with `reason`; the other side heard it; both are silent now. */
function expectFailedBy(link: Link, side: Role, reason: number): void {
  expectLocalFailure(link.outputs[side], reason);
  expectPeerFailure(link.outputs[other(side)], reason);
  expect(link.sent.filter((s) => s.pdu.type === 'pairing-failed')).toEqual([
    { from: side, pdu: { type: 'pairing-failed', reason } },
  ]);
  expectSilence(link.sessions[side]);
  expectSilence(link.sessions[other(side)]);
}

/** The PDU code of a raw PDU. */
const codeOf = (data: Uint8Array): number => data[0]!;

/**
 * A tamper that replaces the responder's PDU with opcode `code` by the
 * initiator's PDU of the same opcode, as a peer reflecting it back would.
 */
function reflecting(code: number): NonNullable<LinkOptions['tamper']> {
  let initiators: Uint8Array | null = null;
  return (from, data) => {
    if (codeOf(data) !== code) return data;
    if (from === 'initiator') initiators = data;
    return from === 'responder' ? initiators : data;
  };
}

// ===================================================================== tests

describe('the harness itself', () => {
  it('completes an untampered SC Just Works pairing with the default policy (control)', () => {
    const link = pair();
    for (const role of ['initiator', 'responder'] as const) {
      expect(failuresOf(link.outputs[role])).toEqual([]);
      expect(link.outputs[role].at(-1)).toMatchObject({
        type: 'completed',
        result: { secureConnections: true, model: 'just-works', keySize: 16 },
      });
      expect(link.sessions[role].phase).toBe('completed');
    }
  });

  it('completes an untampered legacy passkey pairing (control)', () => {
    const link = pair({
      initiator: { policy: { ...LEGACY, ioCapability: IoCapability.KeyboardOnly } },
      responder: { policy: { ...LEGACY, ioCapability: IoCapability.DisplayOnly } },
    });
    expect(link.sessions.initiator.phase).toBe('completed');
    expect(link.sessions.responder.phase).toBe('completed');
  });
});

describe('key distribution (smp-rules.md 6)', () => {
  it.each([
    ['initiator mask gains SignKey', 5, KeyDist.SignKey],
    ['responder mask gains SignKey', 6, KeyDist.SignKey],
    ['responder mask gains LinkKey', 6, KeyDist.LinkKey],
    ['initiator mask gains LinkKey', 5, KeyDist.LinkKey],
  ])('a Pairing Response whose %s (not in the request) -> initiator fails 0x0A', (_name, octet, bit) => {
    const link = pair({
      tamper: (from, data) => {
        if (from !== 'responder' || codeOf(data) !== 0x02) return data;
        const copy = data.slice();
        copy[octet] = copy[octet]! | bit;
        return copy;
      },
    });
    expectFailedBy(link, 'initiator', Reason.InvalidParameters);
  });

  it('a Pairing Response with an extra key bit, fed by hand -> 0x0A', () => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    initiator.pdu(response({ initiatorKeys: KeyDist.EncKey | KeyDist.IdKey | KeyDist.SignKey }));
    initiator.expectFailed(Reason.InvalidParameters);
  });

  describe('the seed trace (mailing-list-2019-legacy-jw-keydist-violation)', () => {
    // Initiator: KeyboardOnly, Bonding|MITM, legacy, keys EncKey|Sign both ways.
    // Responder: NoInputNoOutput, Bonding, legacy; answers initiator Sign, responder EncKey.
    const initiator: Partial<SessionOptions> = {
      policy: {
        ...LEGACY,
        ioCapability: IoCapability.KeyboardOnly,
        initiatorKeys: KeyDist.EncKey | KeyDist.SignKey,
        responderKeys: KeyDist.EncKey | KeyDist.SignKey,
      },
    };
    const responder: Partial<SessionOptions> = {
      policy: {
        ...LEGACY,
        requestMitm: false,
        initiatorKeys: KeyDist.SignKey,
        responderKeys: KeyDist.EncKey,
      },
    };
    /** The initiator's side sends Encryption Information where only Signing Information is negotiated. */
    const asInTrace = (from: Role, data: Uint8Array): Uint8Array | null =>
      from === 'initiator' && codeOf(data) === 0x0a
        ? encodePdu({
            type: 'encryption-information',
            ltk: reverse(fromHex('ffeeddccbbaa99887766554433221100')),
          })
        : data;

    it('negotiates what the trace shows, and untampered the engine sends only Signing Information', () => {
      const link = pair({ initiator, responder });
      const [preq, pres] = link.sent.slice(0, 2).map((s) => encodePdu(s.pdu));
      expect(preq).toEqual(fromHex('01020005100505'));
      expect(pres).toEqual(fromHex('02030001100401'));
      expect(link.sent.filter((s) => s.from === 'responder').map((s) => s.pdu.type)).toEqual([
        'pairing-response',
        'pairing-confirm',
        'pairing-random',
        'encryption-information',
        'central-identification',
      ]);
      expect(link.sent.filter((s) => s.from === 'initiator').map((s) => s.pdu.type)).toEqual([
        'pairing-request',
        'pairing-confirm',
        'pairing-random',
        'signing-information',
      ]);
      expect(link.sessions.initiator.phase).toBe('completed');
      expect(link.sessions.responder.phase).toBe('completed');
    });

    it('Encryption Information from the initiator outside its mask (SignKey only) -> responder fails 0x08', () => {
      const link = pair({ initiator, responder, tamper: asInTrace, acks: 'late' });
      expectFailedBy(link, 'responder', Reason.UnspecifiedReason);
      expect(link.outputs.responder.some((o) => o.type === 'provide-key')).toBe(true);
    });

    it('the same through pairInMemory', async () => {
      const run = await pairInMemory(
        { options: sessionOptions('initiator', initiator), delegate: acceptAll },
        { options: sessionOptions('responder', responder), delegate: acceptAll },
        { tamper: asInTrace },
      );
      expect(run.responder).toEqual({
        status: 'failed',
        failure: { reason: 0x08, by: 'local', timeout: false, message: expect.any(String) },
      });
      // The loopback acknowledges each PDU as soon as it is delivered, so the initiator has
      // completed (its last key PDU acknowledged) before the responder's Pairing Failed arrives;
      // the late-acknowledgement run above shows the initiator hearing it.
      expect(run.transcript.filter((t) => t.pdu.type === 'pairing-failed')).toEqual([
        { from: 'responder', pdu: { type: 'pairing-failed', reason: 0x08 }, data: Uint8Array.of(0x05, 0x08) },
      ]);
      expect(run.outputs.responder.at(-1)?.type).toBe('failed');
      expect(run.outputs.responder.filter((o) => o.type === 'send').at(-1)?.data).toEqual(
        Uint8Array.of(5, 8),
      );
    });
  });

  it('Encryption Information under SC (EncKey distributes nothing) -> initiator fails 0x08', () => {
    const link = pair({
      tamper: (from, data) =>
        from === 'responder' && codeOf(data) === 0x08
          ? encodePdu({ type: 'encryption-information', ltk: bytes(16, 0x5a) })
          : data,
    });
    expectFailedBy(link, 'initiator', Reason.UnspecifiedReason);
  });

  it('Identity Address Information before Identity Information (responder keys) -> initiator fails 0x08', () => {
    // Drop Identity Information: Identity Address Information arrives first.
    const link = pair({
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x08 ? null : data),
    });
    expectFailedBy(link, 'initiator', Reason.UnspecifiedReason);
  });

  it('Identity Address Information before Identity Information (initiator keys) -> responder fails 0x08', () => {
    const link = pair({
      tamper: (from, data) => (from === 'initiator' && codeOf(data) === 0x08 ? null : data),
      acks: 'late',
    });
    expectFailedBy(link, 'responder', Reason.UnspecifiedReason);
  });

  it('Central Identification before Encryption Information (legacy) -> initiator fails 0x08', () => {
    const link = pair({
      initiator: { policy: LEGACY },
      responder: { policy: LEGACY },
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x06 ? null : data),
    });
    expectFailedBy(link, 'initiator', Reason.UnspecifiedReason);
  });

  it('a key PDU before encryption (SC, right after the feature exchange) -> 0x08', () => {
    const responder = acceptedResponder();
    responder.pdu({ type: 'identity-information', irk: bytes(16, 0x11) });
    responder.expectFailed(Reason.UnspecifiedReason);
  });

  it('a key PDU after phase 2 but before the link is encrypted (legacy) -> 0x08', () => {
    const link = pair({ initiator: { policy: LEGACY }, responder: { policy: LEGACY }, encrypt: false });
    expect(link.sessions.initiator.phase).toBe('encrypting');
    expect(link.sessions.responder.phase).toBe('encrypting');
    const responder = link.sessions.responder;
    const out = responder.handle({
      type: 'pdu',
      data: encodePdu({ type: 'encryption-information', ltk: bytes(16, 0x22) }),
    });
    expectLocalFailure(out, Reason.UnspecifiedReason);
    expectSilence(responder);
    // The initiator hears it and fails too.
    const initiatorOut = link.sessions.initiator.handle({ type: 'pdu', data: Uint8Array.of(0x05, 0x08) });
    expectPeerFailure(initiatorOut, Reason.UnspecifiedReason);
    expectSilence(link.sessions.initiator);
  });

  it.each([
    ['resolvable private (01)', 0x40],
    ['non-resolvable private (00)', 0x00],
    ['reserved (10)', 0x80],
  ])('Identity Address Information with a %s random address -> 0x0A', (_name, topBits) => {
    const address = Uint8Array.of(1, 2, 3, 4, 5, 0x3f | topBits);
    for (const from of ['responder', 'initiator'] as const) {
      const link = pair({
        tamper: (sender, data) =>
          sender === from && codeOf(data) === 0x09
            ? encodePdu({ type: 'identity-address-information', addressType: 1, address })
            : data,
        acks: 'late',
      });
      expectFailedBy(link, other(from), Reason.InvalidParameters);
    }
  });

  it('Identity Address Information with a static random or a public address is accepted (control)', () => {
    const link = pair({ responder: { identity: { address: PERIPHERAL } } });
    expect(link.outputs.initiator.at(-1)).toMatchObject({
      type: 'completed',
      result: { peerKeys: { identityAddress: PERIPHERAL } },
    });
  });
});

describe('public keys (smp-rules.md 4)', () => {
  it('the responder reflects the initiator public key -> initiator fails 0x0B', () => {
    const link = pair({ tamper: reflecting(0x0c) });
    expectFailedBy(link, 'initiator', Reason.DhKeyCheckFailed);
  });

  it('the initiator sends the responder its own public key -> responder fails 0x0B', () => {
    const keyPair = crypto.generateKeyPair();
    const link = pair({
      responder: { keyPair },
      tamper: (from, data) =>
        from === 'initiator' && codeOf(data) === 0x0c
          ? encodePdu({ type: 'pairing-public-key', publicKey: keyPair.publicKey })
          : data,
    });
    expectFailedBy(link, 'responder', Reason.DhKeyCheckFailed);
  });

  const offCurve = flipBit(PROBE_KEY.publicKey, 40);
  const outOfRange = new Uint8Array(64).fill(0xff);
  it.each([
    ['off the curve (a bit of Y flipped)', offCurve],
    ['the point at infinity (all zero)', new Uint8Array(64)],
    ['coordinates >= p', outOfRange],
  ])('a public key %s -> 0x0B, in both roles', (_name, publicKey) => {
    expect(isValidPublicKey(publicKey)).toBe(false);
    for (const from of ['initiator', 'responder'] as const) {
      const link = pair({
        tamper: (sender, data) =>
          sender === from && codeOf(data) === 0x0c
            ? encodePdu({ type: 'pairing-public-key', publicKey })
            : data,
      });
      expectFailedBy(link, other(from), Reason.DhKeyCheckFailed);
    }
  });

  it('an off-curve public key fed by hand to a responder -> 0x0B', () => {
    const responder = acceptedResponder();
    responder.pdu({ type: 'pairing-public-key', publicKey: offCurve });
    responder.expectFailed(Reason.DhKeyCheckFailed);
  });

  const debugKeyPair: P256KeyPair = { privateKey: DEBUG_PRIVATE_KEY, publicKey: DEBUG_PUBLIC_KEY };

  it('the debug public key under the default policy -> responder fails; the engine uses 0x03', () => {
    // smp-rules.md names no code for this; the engine (like Zephyr) uses Authentication Requirements.
    const link = pair({ initiator: { keyPair: debugKeyPair } });
    expectFailedBy(link, 'responder', Reason.AuthenticationRequirements);
  });

  it('the debug public key under the default policy -> initiator fails with 0x03', () => {
    const link = pair({ responder: { keyPair: debugKeyPair } });
    expectFailedBy(link, 'initiator', Reason.AuthenticationRequirements);
  });

  it('the debug public key is accepted when the policy allows it (control)', () => {
    const link = pair({
      initiator: { keyPair: debugKeyPair },
      responder: { policy: { allowDebugKeys: true } },
    });
    expect(link.outputs.responder.at(-1)).toMatchObject({ type: 'completed', result: { debugKey: true } });
  });
});

describe('user actions (smp-rules.md 4)', () => {
  const nc = { policy: { ioCapability: IoCapability.DisplayYesNo } };

  it.each(['initiator', 'responder'] as const)('numeric comparison refused by the %s -> 0x0C', (side) => {
    const link = pair({ initiator: nc, responder: nc, users: { [side]: { confirmNumber: false } } });
    expect(link.outputs[side].some((o) => o.type === 'prompt' && o.prompt.kind === 'confirm-number')).toBe(
      true,
    );
    expectFailedBy(link, side, Reason.NumericComparisonFailed);
  });

  // PK-r: the responder (DisplayOnly) shows, the initiator (KeyboardOnly) types; PK-i the other way round.
  const typist = { policy: { ioCapability: IoCapability.KeyboardOnly } };
  const display = { policy: { ioCapability: IoCapability.DisplayOnly } };

  it('passkey entry cancelled by the initiator (enterPasskey returns null) -> 0x01', () => {
    const link = pair({
      initiator: typist,
      responder: display,
      users: { initiator: { passkey: () => null } },
    });
    expectFailedBy(link, 'initiator', Reason.PasskeyEntryFailed);
  });

  it('passkey entry cancelled by the responder -> 0x01', () => {
    const link = pair({
      initiator: display,
      responder: typist,
      users: { responder: { passkey: () => null } },
    });
    expectFailedBy(link, 'responder', Reason.PasskeyEntryFailed);
  });

  it('passkey entry cancelled through pairInMemory (acceptAll cannot type) -> 0x01', async () => {
    const run = await pairInMemory(
      { options: sessionOptions('initiator', typist), delegate: acceptAll },
      { options: sessionOptions('responder', display), delegate: acceptAll },
    );
    expect(run.initiator).toMatchObject({ status: 'failed', failure: { reason: 0x01, by: 'local' } });
    expect(run.responder).toMatchObject({ status: 'failed', failure: { reason: 0x01, by: 'peer' } });
  });

  it('SC: the initiator types a wrong passkey (shown ^ 1) -> responder fails 0x04', () => {
    const link = pair({
      initiator: typist,
      responder: display,
      users: { initiator: { passkey: (shown) => shown! ^ 1 } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('SC: passkeys differing only in bit 10 fail in round 11 with 0x04', () => {
    const link = pair({
      initiator: typist,
      responder: typist,
      users: { initiator: { passkey: () => 123456 }, responder: { passkey: () => 123456 ^ (1 << 10) } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
    expect(link.sent.filter((s) => s.from === 'initiator' && s.pdu.type === 'pairing-random')).toHaveLength(
      11,
    );
  });

  it('legacy: the initiator types a wrong passkey -> responder fails 0x04', () => {
    const link = pair({
      initiator: { policy: { ...LEGACY, ioCapability: IoCapability.KeyboardOnly } },
      responder: { policy: { ...LEGACY, ioCapability: IoCapability.DisplayOnly } },
      users: { initiator: { passkey: (shown) => (shown! + 1) % 1_000_000 } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('legacy: both type, different passkeys -> 0x04', () => {
    const keyboard = { policy: { ...LEGACY, ioCapability: IoCapability.KeyboardOnly } };
    const link = pair({
      initiator: keyboard,
      responder: keyboard,
      users: { initiator: { passkey: () => 123456 }, responder: { passkey: () => 654321 } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('the responder user refuses the attempt (acceptPairing false) -> 0x05', () => {
    const link = pair({ users: { responder: { accept: false } } });
    expectFailedBy(link, 'responder', Reason.PairingNotSupported);
    expect(sentTypes(link.outputs.responder)).toEqual(['pairing-failed']);
  });

  it('the responder user refuses, through pairInMemory and refuseAll-like delegate -> 0x05', async () => {
    const run = await pairInMemory(
      { options: sessionOptions('initiator'), delegate: acceptAll },
      { options: sessionOptions('responder'), delegate: { ...acceptAll, acceptPairing: () => false } },
    );
    expect(run.responder).toMatchObject({ status: 'failed', failure: { reason: 0x05, by: 'local' } });
    expect(run.initiator).toMatchObject({ status: 'failed', failure: { reason: 0x05, by: 'peer' } });
  });
});

describe('OOB (smp-rules.md 3, 4)', () => {
  const responderKeys = crypto.generateKeyPair();
  const rb = bytes(16, 0x3c);
  /** What the responder gives the initiator out of band: rb and Cb = f4(PKbx, PKbx, rb, 0). */
  const responderOob = (random: Uint8Array = rb) => {
    const x = responderKeys.publicKey.subarray(0, 32);
    return { random, confirm: crypto.f4(x, x, random, 0) };
  };

  it('SC OOB with the right data completes (control)', () => {
    const link = pair({
      initiator: { oob: { peer: responderOob() } },
      responder: { keyPair: responderKeys, oob: { localRandom: rb } },
    });
    for (const role of ['initiator', 'responder'] as const) {
      expect(link.outputs[role].at(-1)).toMatchObject({ type: 'completed', result: { model: 'oob' } });
    }
  });

  it("SC OOB: the peer's public key does not match its OOB confirm value -> initiator fails 0x04", () => {
    const link = pair({
      initiator: { oob: { peer: { random: rb, confirm: bytes(16, 0x99) } } },
      responder: { keyPair: responderKeys, oob: { localRandom: rb } },
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
  });

  it('SC OOB: a substituted public key (MITM) fails the OOB commitment -> initiator fails 0x04', () => {
    const link = pair({
      initiator: { oob: { peer: responderOob() } },
      responder: { oob: { localRandom: rb } }, // a fresh key pair, not the one committed to
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
  });

  it('SC OOB: the responder used another random than it gave (rb differs) -> responder fails 0x0B', () => {
    const link = pair({
      initiator: { oob: { peer: responderOob() } },
      responder: { keyPair: responderKeys, oob: { localRandom: bytes(16, 0x3d) } },
    });
    expectFailedBy(link, 'responder', Reason.DhKeyCheckFailed);
  });

  it('SC OOB with legacy OOB data (a TK, no random and confirm) -> 0x02', () => {
    const link = pair({ initiator: { oob: { peer: { tk: bytes(16, 1) } } } });
    expectFailedBy(link, 'initiator', Reason.OobNotAvailable);
  });

  it('legacy OOB with SC OOB data (no TK) -> 0x02', () => {
    const link = pair({
      initiator: { policy: LEGACY, oob: { peer: { tk: bytes(16, 1) } } },
      responder: { policy: LEGACY, oob: { peer: responderOob() } },
    });
    expectFailedBy(link, 'responder', Reason.OobNotAvailable);
  });

  it('legacy OOB: the two TKs differ -> responder fails 0x04', () => {
    const link = pair({
      initiator: { policy: LEGACY, oob: { peer: { tk: bytes(16, 1) } } },
      responder: { policy: LEGACY, oob: { peer: { tk: bytes(16, 2) } } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('legacy OOB with the same TK completes (control)', () => {
    const link = pair({
      initiator: { policy: LEGACY, oob: { peer: { tk: bytes(16, 1) } } },
      responder: { policy: LEGACY, oob: { peer: { tk: bytes(16, 1) } } },
    });
    expect(link.outputs.responder.at(-1)).toMatchObject({ type: 'completed', result: { model: 'oob' } });
  });
});

describe('no spurious failure', () => {
  // A host that reads each L2CAP frame into one reused Buffer hands the session a Buffer;
  // whatever the session keeps (preq, pres) must be a copy, or later PDUs overwrite it and
  // the confirm values or DHKey checks no longer match (smp-rules.md 3, 4).
  it('legacy Just Works with PDUs in a reused receive Buffer completes (no 0x04)', () => {
    const link = pair({ initiator: { policy: LEGACY }, responder: { policy: LEGACY }, receiveBuffer: true });
    expect(failuresOf(link.outputs.initiator)).toEqual([]);
    expect(failuresOf(link.outputs.responder)).toEqual([]);
    expect(link.sessions.initiator.phase).toBe('completed');
    expect(link.sessions.responder.phase).toBe('completed');
  });

  it('SC Just Works with PDUs in a reused receive Buffer completes (no 0x0B)', () => {
    const link = pair({ receiveBuffer: true });
    expect(failuresOf(link.outputs.initiator)).toEqual([]);
    expect(failuresOf(link.outputs.responder)).toEqual([]);
    expect(link.sessions.initiator.phase).toBe('completed');
    expect(link.sessions.responder.phase).toBe('completed');
  });
});

describe('other local failures', () => {
  it('Just Works refused by the user -> the engine uses 0x08 (as Zephyr does)', () => {
    const link = pair({ users: { responder: { justWorks: false } } });
    expectFailedBy(link, 'responder', Reason.UnspecifiedReason);
  });

  it('encryption with the new key fails -> 0x08, the peer hears it', () => {
    const link = pair({ encrypt: false });
    const out = link.sessions.initiator.handle({ type: 'encryption-failed' });
    expectLocalFailure(out, Reason.UnspecifiedReason);
    const sentData = out.flatMap((o) => (o.type === 'send' ? [o.data] : []));
    expect(sentData).toEqual([Uint8Array.of(0x05, 0x08)]);
    expectPeerFailure(link.sessions.responder.handle({ type: 'pdu', data: sentData[0]! }), 0x08);
    expectSilence(link.sessions.initiator);
    expectSilence(link.sessions.responder);
  });

  it('encryption with the new key fails: the failure says what the controller reported, when told', () => {
    const link = pair({ encrypt: false });
    const out = link.sessions.initiator.handle({
      type: 'encryption-failed',
      cause: 'Encryption Change 0x06 PIN or Key Missing',
    });
    expectLocalFailure(out, Reason.UnspecifiedReason);
    expect(failuresOf(out)[0]!.message).toBe(
      'encryption with the new key failed: Encryption Change 0x06 PIN or Key Missing',
    );
    const bare = pair({ encrypt: false }).sessions.initiator.handle({ type: 'encryption-failed' });
    expect(failuresOf(bare)[0]!.message).toBe('encryption with the new key failed');
    expect(() =>
      pair({ encrypt: false }).sessions.initiator.handle({ type: 'encryption-failed', cause: 6 as never }),
    ).toThrow(TypeError);
  });

  it('passkey entry: a typed value outside 0..999999 counts as cancelled -> 0x01', () => {
    const typist = { policy: { ioCapability: IoCapability.KeyboardOnly } };
    const display = { policy: { ioCapability: IoCapability.DisplayOnly } };
    const link = pair({
      initiator: typist,
      responder: display,
      users: { initiator: { passkey: () => 1_000_000 } },
    });
    expectFailedBy(link, 'initiator', Reason.PasskeyEntryFailed);
  });

  it('passkey shown by the initiator, typed wrong by the responder (PK-i) -> 0x04', () => {
    const link = pair({
      initiator: { policy: { ioCapability: IoCapability.DisplayOnly } },
      responder: { policy: { ioCapability: IoCapability.KeyboardOnly } },
      users: { responder: { passkey: (shown) => shown! ^ 1 } },
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('passkey shown by the initiator and typed right by the responder completes (control)', () => {
    const link = pair({
      initiator: { policy: { ioCapability: IoCapability.DisplayOnly } },
      responder: { policy: { ioCapability: IoCapability.KeyboardOnly } },
    });
    expect(link.outputs.responder.at(-1)).toMatchObject({ type: 'completed', result: { model: 'passkey' } });
  });
});

describe('key size (smp-rules.md 5)', () => {
  const small = { policy: { minKeySize: 7, maxKeySize: 7 } };

  it('peer maxKeySize 7, our minKeySize 16, we are the responder -> 0x06', () => {
    const link = pair({ initiator: small });
    expectFailedBy(link, 'responder', Reason.EncryptionKeySize);
  });

  it('peer maxKeySize 7, our minKeySize 16, we are the initiator -> 0x06', () => {
    const link = pair({ responder: small });
    expectFailedBy(link, 'initiator', Reason.EncryptionKeySize);
  });

  it('a hand-made Pairing Request with maxKeySize 7 -> responder 0x06', () => {
    const responder = new Driver(sessionOptions('responder'));
    responder.pdu(request({ maxKeySize: 7 }));
    responder.expectFailed(Reason.EncryptionKeySize);
  });

  it('a hand-made Pairing Response with maxKeySize 15 -> initiator 0x06', () => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    initiator.pdu(response({ maxKeySize: 15 }));
    initiator.expectFailed(Reason.EncryptionKeySize);
  });

  it.each([0, 6, 17, 0xff])('a Pairing Request with maxKeySize %i -> 0x0A (decoder)', (size) => {
    const data = Uint8Array.of(0x01, 0x03, 0x00, 0x0d, size, 0x03, 0x03);
    expect(decodePdu(data)).toMatchObject({ ok: false, action: 'fail', reason: Reason.InvalidParameters });
    const responder = new Driver(sessionOptions('responder'));
    responder.pdu(data);
    responder.expectFailed(Reason.InvalidParameters);
  });

  it.each([6, 17])('a Pairing Response with maxKeySize %i -> initiator 0x0A', (size) => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    initiator.pdu(Uint8Array.of(0x02, 0x03, 0x00, 0x0d, size, 0x03, 0x03));
    initiator.expectFailed(Reason.InvalidParameters);
  });

  it('a tampered Pairing Request with maxKeySize 6 -> responder 0x0A, initiator hears it', () => {
    const link = pair({
      tamper: (from, data) => {
        if (from !== 'initiator' || codeOf(data) !== 0x01) return data;
        const copy = data.slice();
        copy[4] = 6;
        return copy;
      },
    });
    expectFailedBy(link, 'responder', Reason.InvalidParameters);
  });
});

describe('authentication requirements (smp-rules.md 2, 8)', () => {
  it('a legacy peer under the default SC-only policy, we are the responder -> 0x03', () => {
    const link = pair({ initiator: { policy: LEGACY } });
    expectFailedBy(link, 'responder', Reason.AuthenticationRequirements);
  });

  it('a legacy peer under the default SC-only policy, we are the initiator -> 0x03', () => {
    const link = pair({ responder: { policy: LEGACY } });
    expectFailedBy(link, 'initiator', Reason.AuthenticationRequirements);
  });

  it('a hand-made legacy Pairing Request (no SC bit) -> responder 0x03', () => {
    const responder = new Driver(sessionOptions('responder'));
    responder.pdu(request({ authReq: AuthReq.Bonding | AuthReq.Mitm }));
    responder.expectFailed(Reason.AuthenticationRequirements);
  });

  it('Just Works when our policy has requireMitm, we are the responder -> 0x03', () => {
    const link = pair({ responder: { policy: { requireMitm: true } } });
    expectFailedBy(link, 'responder', Reason.AuthenticationRequirements);
  });

  it('Just Works when our policy has requireMitm, we are the initiator -> 0x03', () => {
    const link = pair({ initiator: { policy: { requireMitm: true } } });
    expectFailedBy(link, 'initiator', Reason.AuthenticationRequirements);
  });

  it('legacy Just Works with requireMitm -> 0x03', () => {
    const link = pair({
      initiator: { policy: { ...LEGACY, requireMitm: true } },
      responder: { policy: LEGACY },
    });
    expectFailedBy(link, 'initiator', Reason.AuthenticationRequirements);
  });
});

describe('the SMP timer (smp-rules.md 7)', () => {
  function expectTimedOut(driver: Driver): void {
    expect(failuresOf(driver.outputs)).toEqual([
      { reason: expect.any(Number), by: 'local', timeout: true, message: expect.any(String) },
    ]);
    const reason = failuresOf(driver.outputs)[0]!.reason;
    expect(reason).toBeGreaterThanOrEqual(0x01);
    expect(reason).toBeLessThanOrEqual(0x0f);
    expect(pairingFailedSent(driver.outputs)).toEqual([]);
    expect(driver.outputs.at(-1)?.type).toBe('failed');
    expectSilence(driver.session);
  }

  it('initiator waiting for the Pairing Response: failed, timeout: true, no Pairing Failed; then silent', () => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    const out = initiator.feed({ type: 'timeout' });
    expect(sentTypes(out)).toEqual([]);
    expect(out).toContainEqual({ type: 'timer', action: 'stop' });
    expectTimedOut(initiator);
    // A Pairing Response that arrives after the timeout gets nothing.
    expect(initiator.pdu(response())).toEqual([]);
  });

  it('responder in the middle of SC: timeout, then the public key that arrives late gets no answer', () => {
    const responder = acceptedResponder();
    responder.feed({ type: 'timeout' });
    expectTimedOut(responder);
    expect(responder.pdu({ type: 'pairing-public-key', publicKey: PROBE_KEY.publicKey })).toEqual([]);
    expect(responder.pdu(request())).toEqual([]);
  });

  it('responder waiting for its user to accept: timeout; the late answer gets nothing', () => {
    const responder = new Driver(sessionOptions('responder'));
    responder.pdu(request());
    responder.feed({ type: 'timeout' });
    expectTimedOut(responder);
    expect(responder.answer('accept', true)).toEqual([]);
  });

  it('a timeout in a paired link: the other side, still waiting, gets no Pairing Failed', () => {
    // Drop the responder's Pairing Confirm: both wait; the initiator's timer expires.
    const link = pair({
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x03 ? null : data),
    });
    expect(link.sessions.initiator.phase).toBe('secure-connections');
    const out = link.sessions.initiator.handle({ type: 'timeout' });
    expect(failuresOf(out)).toEqual([
      { reason: expect.any(Number), by: 'local', timeout: true, message: expect.any(String) },
    ]);
    expect(sentTypes(out)).toEqual([]);
    expectSilence(link.sessions.initiator);
    expect(pairingFailedSent(link.outputs.initiator)).toEqual([]);
  });

  it('a timeout with no pairing under way does nothing', () => {
    const responder = new Driver(sessionOptions('responder'));
    expect(responder.feed({ type: 'timeout' })).toEqual([]);
    expect(responder.session.phase).toBe('idle');
  });
});

describe('repeated attempts (smp-rules.md 7)', () => {
  it('answers 0x09 within the wait, accepts after it, and the wait doubles after a second failure', () => {
    let now = 1_000_000;
    const attempts = new RepeatedAttempts({ now: () => now, baseMs: 2_000 });
    const responderWith = (peer: DeviceAddress = CENTRAL) =>
      new Driver(sessionOptions('responder', { attempts, peer }));

    // First failure: the user refuses (0x05).
    const first = responderWith();
    first.pdu(request());
    first.answer('accept', false);
    first.expectFailed(Reason.PairingNotSupported);
    expect(attempts.waitMs(first.session.peerId)).toBe(2_000);

    // Within the wait: Repeated Attempts.
    now += 1_999;
    const early = responderWith();
    early.pdu(request());
    early.expectFailed(Reason.RepeatedAttempts);
    expect(early.outputs.some((o) => o.type === 'prompt')).toBe(false);

    // Another peer is not affected.
    const stranger = responderWith({ address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 });
    expect(stranger.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);

    // After the wait: accepted.
    now += 1;
    const second = responderWith();
    expect(second.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);
    // ... and it fails again: the wait doubles.
    second.answer('accept', false);
    second.expectFailed(Reason.PairingNotSupported);
    expect(attempts.waitMs(second.session.peerId)).toBe(4_000);

    now += 3_999;
    const stillEarly = responderWith();
    stillEarly.pdu(request());
    stillEarly.expectFailed(Reason.RepeatedAttempts);

    now += 1;
    const third = responderWith();
    expect(third.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);
  });

  it('a Security Request within the wait is answered with 0x09 by the initiator', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now });
    const first = new Driver(sessionOptions('initiator', { attempts }));
    first.feed({ type: 'start' });
    first.pdu({ type: 'pairing-failed', reason: Reason.PairingNotSupported });
    expectPeerFailure(first.outputs, Reason.PairingNotSupported);
    now += 1_000;
    const second = new Driver(sessionOptions('initiator', { attempts }));
    second.pdu({ type: 'security-request', authReq: AuthReq.Bonding | AuthReq.Mitm });
    second.expectFailed(Reason.RepeatedAttempts);
    now += 1_000;
    const third = new Driver(sessionOptions('initiator', { attempts }));
    expect(third.pdu({ type: 'security-request', authReq: AuthReq.Bonding })).toEqual([
      { type: 'security-request', authReq: AuthReq.Bonding },
    ]);
  });

  it('the responder: Pairing Failed in answer to its Security Request ends the request (0x09 by the peer); without one it is ignored', () => {
    const asked = new Driver(sessionOptions('responder'));
    expect(asked.feed({ type: 'request-security' })).toEqual([
      expect.objectContaining({ type: 'send', pdu: expect.objectContaining({ type: 'security-request' }) }),
    ]);
    asked.pdu({ type: 'pairing-failed', reason: Reason.RepeatedAttempts });
    expectPeerFailure(asked.outputs, Reason.RepeatedAttempts);
    expect(asked.session.phase).toBe('failed');
    // No Security Request out: a stray Pairing Failed changes nothing, and a Pairing Request still pairs.
    const quiet = new Driver(sessionOptions('responder'));
    expect(quiet.pdu({ type: 'pairing-failed', reason: Reason.RepeatedAttempts })).toEqual([]);
    expect(quiet.session.phase).toBe('idle');
    expect(quiet.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);
    // Once a Pairing Request has answered the Security Request, a Pairing Failed is an ordinary one.
    const answered = new Driver(sessionOptions('responder'));
    answered.feed({ type: 'request-security' });
    answered.pdu(request());
    answered.pdu({ type: 'pairing-failed', reason: Reason.UnspecifiedReason });
    expectPeerFailure(answered.outputs.slice(1), Reason.UnspecifiedReason);
  });

  /** A peer on a random address of its own: `n` as the address octets. */
  const rotated = (n: number): DeviceAddress => ({
    address: Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0x12, 0x34, 0x56),
    type: 1,
  });

  it('memory is bounded: a peer on a fresh address per attempt grows it no further than maxPeers', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now, maxPeers: 64 });
    for (let n = 0; n < 5_000; n++) attempts.recordFailure(`peer ${n}`);
    expect(attempts.size).toBe(64);
    // The most recent are remembered, the oldest forgotten.
    expect(attempts.waitMs('peer 4999')).toBe(2_000);
    expect(attempts.waitMs('peer 0')).toBe(0);
    // Once every wait has passed and as long again, nothing is kept.
    now += 4_000;
    expect(attempts.size).toBe(0);
  });

  it('an entry outlives its wait by as long again: a retry soon after the wait still doubles it; later it starts over', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now });
    attempts.recordFailure('p');
    now += 2_500; // the 2 s wait passed, not yet forgotten
    expect(attempts.waitMs('p')).toBe(0);
    attempts.recordFailure('p');
    expect(attempts.waitMs('p')).toBe(4_000);
    now += 8_000; // the 4 s wait and 4 s more: forgotten
    attempts.recordFailure('p');
    expect(attempts.waitMs('p')).toBe(2_000);
  });

  it('budget: failures across rotating addresses spend it, and the next new address hears 0x09 (responder)', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now, budget: { failures: 3, windowMs: 60_000 } });
    for (let n = 1; n <= 3; n++) {
      const refused = new Driver(sessionOptions('responder', { attempts, peer: rotated(n) }));
      refused.pdu(request());
      refused.answer('accept', false);
      refused.expectFailed(Reason.PairingNotSupported);
      now += 1_000;
    }
    // A fourth address never seen: its own wait is 0, the budget is spent.
    const fresh = new Driver(sessionOptions('responder', { attempts, peer: rotated(4) }));
    fresh.pdu(request());
    fresh.expectFailed(Reason.RepeatedAttempts);
    expect(attempts.waitMs('never seen')).toBe(57_000);
    // When the oldest failure leaves the window, a new address may try again.
    now += 57_000;
    const later = new Driver(sessionOptions('responder', { attempts, peer: rotated(5) }));
    expect(later.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);
  });

  it('budget: the initiator answers a Security Request from a new address with 0x09 once it is spent', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now, budget: { failures: 2, windowMs: 10_000 } });
    for (let n = 1; n <= 2; n++) {
      const failed = new Driver(sessionOptions('initiator', { attempts, peer: rotated(n) }));
      failed.feed({ type: 'start' });
      failed.pdu({ type: 'pairing-failed', reason: Reason.PairingNotSupported });
      now += 100;
    }
    const fresh = new Driver(sessionOptions('initiator', { attempts, peer: rotated(3) }));
    fresh.pdu({ type: 'security-request', authReq: AuthReq.Bonding });
    fresh.expectFailed(Reason.RepeatedAttempts);
    expect(() => new RepeatedAttempts({ budget: { failures: 0, windowMs: 1 } })).toThrow(RangeError);
  });

  it('repeated attempts in a wired pair: the initiator hears 0x09', () => {
    let now = 0;
    const attempts = new RepeatedAttempts({ now: () => now });
    const refused = pair({ responder: { attempts }, users: { responder: { accept: false } } });
    expectFailedBy(refused, 'responder', Reason.PairingNotSupported);
    now += 1_000;
    const again = pair({ responder: { attempts } });
    expectFailedBy(again, 'responder', Reason.RepeatedAttempts);
    now += 1_000;
    const later = pair({ responder: { attempts } });
    expect(later.sessions.responder.phase).toBe('completed');
    expect(attempts.waitMs(later.sessions.responder.peerId)).toBe(0);
  });
});

describe('malformed, reserved and unexpected PDUs (smp-rules.md 7)', () => {
  it.each([
    ['Pairing Response, 6 octets', Uint8Array.of(0x02, 0x03, 0x00, 0x0d, 0x10, 0x03)],
    ['Pairing Response, 8 octets', Uint8Array.of(0x02, 0x03, 0x00, 0x0d, 0x10, 0x03, 0x03, 0x00)],
    ['Pairing Confirm, 16 octets', new Uint8Array(16).fill(0x03, 0, 1)],
    ['Pairing Failed, 1 octet', Uint8Array.of(0x05)],
    ['Pairing Failed, 3 octets', Uint8Array.of(0x05, 0x08, 0x00)],
    ['Security Request, 3 octets', Uint8Array.of(0x0b, 0x0d, 0x00)],
    ['an empty PDU', new Uint8Array(0)],
  ])('a wrong-length %s during pairing -> initiator fails 0x0A', (_name, data) => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    initiator.pdu(data);
    initiator.expectFailed(Reason.InvalidParameters);
  });

  it('a wrong-length Pairing Public Key in flight -> responder fails 0x0A, initiator hears it', () => {
    const link = pair({
      tamper: (from, data) => (from === 'initiator' && codeOf(data) === 0x0c ? data.subarray(0, 64) : data),
    });
    expectFailedBy(link, 'responder', Reason.InvalidParameters);
  });

  it.each([0x00, 0x0f, 0x10, 0x7f, 0xff].map((code) => [hex(code), code] as const))(
    'a reserved SMP code 0x%s during pairing is ignored',
    (_hex, code) => {
      const initiator = new Driver(sessionOptions('initiator'));
      initiator.feed({ type: 'start' });
      expect(initiator.pdu(Uint8Array.of(code, 1, 2, 3))).toEqual([]);
      expect(initiator.pdu(Uint8Array.of(code))).toEqual([]);
      expect(initiator.session.phase).toBe('awaiting-response');
      // The pairing goes on.
      expect(sentTypes(initiator.pdu(response()))).toEqual(['pairing-public-key']);
    },
  );

  it('a reserved SMP code before every PDU of a whole pairing changes nothing', () => {
    const link = pair({ noise: Uint8Array.of(0x0f, 0xde, 0xad) });
    expect(link.sessions.initiator.phase).toBe('completed');
    expect(link.sessions.responder.phase).toBe('completed');
    const responder = new Driver(sessionOptions('responder'));
    expect(responder.pdu(Uint8Array.of(0x0f))).toEqual([]);
    expect(responder.session.phase).toBe('idle');
  });

  it.each<[string, SmpPdu]>([
    ['Pairing Random', { type: 'pairing-random', value: bytes(16, 1) }],
    ['Pairing Confirm', { type: 'pairing-confirm', value: bytes(16, 1) }],
    ['Pairing Public Key', { type: 'pairing-public-key', publicKey: PROBE_KEY.publicKey }],
    ['Pairing DHKey Check', { type: 'pairing-dhkey-check', value: bytes(16, 1) }],
  ])('an unexpected %s while waiting for the Pairing Response -> 0x08', (_name, pdu) => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.feed({ type: 'start' });
    initiator.pdu(pdu);
    initiator.expectFailed(Reason.UnspecifiedReason);
  });

  it.each<[string, SmpPdu]>([
    ['Pairing Random', { type: 'pairing-random', value: bytes(16, 1) }],
    ['Pairing Confirm', { type: 'pairing-confirm', value: bytes(16, 1) }],
    ['Pairing DHKey Check', { type: 'pairing-dhkey-check', value: bytes(16, 1) }],
    ['Pairing Response', response()],
    ['a second Pairing Request', request()],
    ['Keypress Notification (not negotiated)', { type: 'keypress-notification', notification: 0 }],
  ])('an unexpected %s while the responder waits for the public key -> 0x08', (_name, pdu) => {
    const responder = acceptedResponder();
    responder.pdu(pdu);
    responder.expectFailed(Reason.UnspecifiedReason);
  });

  it('a Pairing Random where the Pairing Confirm belongs, in flight -> 0x08', () => {
    // SC Just Works: the responder's Cb replaced by a random value PDU.
    const link = pair({
      tamper: (from, data) =>
        from === 'responder' && codeOf(data) === 0x03
          ? encodePdu({ type: 'pairing-random', value: data.subarray(1) })
          : data,
    });
    expectFailedBy(link, 'initiator', Reason.UnspecifiedReason);
  });

  it('known PDUs outside pairing are ignored (idle responder and initiator)', () => {
    const ignoredByResponder: SmpPdu[] = [
      { type: 'pairing-confirm', value: bytes(16, 1) },
      { type: 'pairing-random', value: bytes(16, 1) },
      { type: 'pairing-failed', reason: 0x08 },
      { type: 'encryption-information', ltk: bytes(16, 1) },
      { type: 'central-identification', ediv: 1, rand: bytes(8, 1) },
      { type: 'identity-information', irk: bytes(16, 1) },
      { type: 'identity-address-information', addressType: 0, address: CENTRAL.address },
      { type: 'signing-information', csrk: bytes(16, 1) },
      { type: 'pairing-public-key', publicKey: PROBE_KEY.publicKey },
      { type: 'pairing-dhkey-check', value: bytes(16, 1) },
      { type: 'keypress-notification', notification: 1 },
      response(),
    ];
    const responder = new Driver(sessionOptions('responder'));
    for (const pdu of ignoredByResponder) expect(responder.pdu(pdu), pdu.type).toEqual([]);
    expect(responder.session.phase).toBe('idle');
    // Still able to pair afterwards.
    expect(responder.pdu(request())).toEqual([expect.objectContaining({ type: 'prompt' })]);

    const initiator = new Driver(sessionOptions('initiator'));
    for (const pdu of ignoredByResponder) expect(initiator.pdu(pdu), pdu.type).toEqual([]);
    expect(initiator.session.phase).toBe('idle');
    expect(sentTypes(initiator.feed({ type: 'start' }))).toEqual(['pairing-request']);
  });

  it('known PDUs after a completed pairing are ignored', () => {
    const link = pair();
    for (const role of ['initiator', 'responder'] as const) {
      const session = link.sessions[role];
      expect(session.phase).toBe('completed');
      for (const input of probes(role)) expect(session.handle(input)).toEqual([]);
    }
  });

  it('a Pairing Request sent to the (idle) initiator -> 0x07', () => {
    const initiator = new Driver(sessionOptions('initiator'));
    initiator.pdu(request());
    initiator.expectFailed(Reason.CommandNotSupported);
  });

  it('a Security Request sent to the responder -> 0x07', () => {
    const responder = new Driver(sessionOptions('responder'));
    responder.pdu({ type: 'security-request', authReq: AuthReq.Bonding });
    responder.expectFailed(Reason.CommandNotSupported);
  });
});

describe('Pairing Failed from the peer (smp-rules.md 7)', () => {
  it.each(
    [Reason.PasskeyEntryFailed, Reason.PairingNotSupported, Reason.UnspecifiedReason, Reason.KeyRejected].map(
      (reason) => [hex(reason), reason] as const,
    ),
  )(
    'reason 0x%s while waiting for the Pairing Response -> failed by peer with that reason',
    (_hex, reason) => {
      const initiator = new Driver(sessionOptions('initiator'));
      initiator.feed({ type: 'start' });
      const out = initiator.pdu({ type: 'pairing-failed', reason });
      expect(out).toContainEqual({ type: 'timer', action: 'stop' });
      expectPeerFailure(initiator.outputs, reason);
      expectSilence(initiator.session);
    },
  );

  it.each([0x00, 0x10, 0x42, 0xff].map((reason) => [hex(reason), reason] as const))(
    'reserved reason 0x%s -> failed by peer as Unspecified Reason (0x08), the raw value in the message',
    (hexReason, reason) => {
      const initiator = new Driver(sessionOptions('initiator'));
      initiator.feed({ type: 'start' });
      initiator.pdu({ type: 'pairing-failed', reason });
      expectPeerFailure(initiator.outputs, Reason.UnspecifiedReason);
      const failed = initiator.outputs.find((o) => o.type === 'failed');
      expect(failed?.type === 'failed' && failed.failure.message).toContain(`reserved reason 0x${hexReason}`);
      expectSilence(initiator.session);
    },
  );

  it('Pairing Failed received mid-SC by the responder -> failed by peer, nothing sent', () => {
    const responder = acceptedResponder();
    responder.pdu({ type: 'pairing-failed', reason: Reason.DhKeyCheckFailed });
    expectPeerFailure(responder.outputs, Reason.DhKeyCheckFailed);
    expectSilence(responder.session);
  });

  it('Pairing Failed received during key distribution -> failed by peer, keys discarded (no completed)', () => {
    // Drop the initiator's keys: the responder waits in distribution; then it gets Pairing Failed.
    const link = pair({
      tamper: (from, data) => (from === 'initiator' && [0x08, 0x09].includes(codeOf(data)) ? null : data),
    });
    expect(link.sessions.responder.phase).toBe('distributing');
    const out = link.sessions.responder.handle({ type: 'pdu', data: Uint8Array.of(0x05, 0x08) });
    expectPeerFailure(out, Reason.UnspecifiedReason);
    expectSilence(link.sessions.responder);
  });
});

describe('tampered values in flight (smp-rules.md 3, 4)', () => {
  it('SC Just Works: a bit of the responder confirm (Cb) flipped -> initiator fails 0x04', () => {
    const link = pair({
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x03 ? flipBit(data, 7) : data),
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
  });

  it('SC Just Works: a bit of the responder nonce (Nb) flipped -> initiator fails 0x04', () => {
    const link = pair({
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x04 ? flipBit(data, 1) : data),
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
  });

  it('SC passkey: a bit of the initiator confirm (Ca1) flipped -> responder fails 0x04', () => {
    let confirms = 0;
    const link = pair({
      initiator: { policy: { ioCapability: IoCapability.KeyboardOnly } },
      responder: { policy: { ioCapability: IoCapability.DisplayOnly } },
      tamper: (from, data) =>
        from === 'initiator' && codeOf(data) === 0x03 && confirms++ === 0 ? flipBit(data, 16) : data,
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('SC passkey: a bit of the responder confirm in round 5 flipped -> initiator fails 0x04', () => {
    let confirms = 0;
    const link = pair({
      initiator: { policy: { ioCapability: IoCapability.KeyboardOnly } },
      responder: { policy: { ioCapability: IoCapability.DisplayOnly } },
      tamper: (from, data) =>
        from === 'responder' && codeOf(data) === 0x03 && ++confirms === 5 ? flipBit(data, 2) : data,
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
  });

  it('legacy: a bit of the initiator Mconfirm flipped -> responder fails 0x04', () => {
    const link = pair({
      initiator: { policy: LEGACY },
      responder: { policy: LEGACY },
      tamper: (from, data) => (from === 'initiator' && codeOf(data) === 0x03 ? flipBit(data, 3) : data),
    });
    expectFailedBy(link, 'responder', Reason.ConfirmValueFailed);
  });

  it('legacy: a bit of the responder Sconfirm flipped -> initiator fails 0x04', () => {
    const link = pair({
      initiator: { policy: LEGACY },
      responder: { policy: LEGACY },
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x03 ? flipBit(data, 9) : data),
    });
    expectFailedBy(link, 'initiator', Reason.ConfirmValueFailed);
    expect(link.outputs.initiator.some((o) => o.type === 'start-encryption')).toBe(false);
  });

  it('SC: a bit of the initiator DHKey check (Ea) flipped -> responder fails 0x0B', () => {
    const link = pair({
      tamper: (from, data) => (from === 'initiator' && codeOf(data) === 0x0d ? flipBit(data, 5) : data),
    });
    expectFailedBy(link, 'responder', Reason.DhKeyCheckFailed);
    expect(link.outputs.responder.some((o) => o.type === 'provide-key')).toBe(false);
  });

  it('SC: a bit of the responder DHKey check (Eb) flipped -> initiator fails 0x0B', () => {
    const link = pair({
      tamper: (from, data) => (from === 'responder' && codeOf(data) === 0x0d ? flipBit(data, 16) : data),
    });
    expectFailedBy(link, 'initiator', Reason.DhKeyCheckFailed);
    expect(link.outputs.initiator.some((o) => o.type === 'start-encryption')).toBe(false);
  });

  it("SC: the responder answers with the initiator's own Ea as its Eb -> initiator fails 0x0B", () => {
    const link = pair({ tamper: reflecting(0x0d) });
    expect(link.sent.filter((sent) => sent.pdu.type === 'pairing-dhkey-check')).toHaveLength(2);
    expectFailedBy(link, 'initiator', Reason.DhKeyCheckFailed);
    expect(link.outputs.initiator.some((o) => o.type === 'start-encryption')).toBe(false);
  });

  it('SC numeric comparison: a tampered Ea -> responder fails 0x0B (after the user agreed)', () => {
    const nc = { policy: { ioCapability: IoCapability.DisplayYesNo } };
    const link = pair({
      initiator: nc,
      responder: nc,
      tamper: (from, data) => (from === 'initiator' && codeOf(data) === 0x0d ? flipBit(data, 1) : data),
    });
    expectFailedBy(link, 'responder', Reason.DhKeyCheckFailed);
  });
});
