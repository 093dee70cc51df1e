/**
 * Fuzzing the pairing session (smp-rules.md; Core Vol 3 Part H). fast-check
 * drives PairingSession in both roles with random input from the air, mutated
 * replays of honest pairings, hostile user answers and a man in the middle
 * on an in-memory link, and checks after every `handle()`:
 *
 * 1. no exception escapes `handle()`;
 * 2. a side completes only when the honest peer's proofs checked: a completed
 *    side holds the key its peer gave the controller, and a side never
 *    completes after a confirm, random, public key or DHKey check value (or an
 *    authenticated Pairing Request/Response octet) was altered in flight;
 * 3. key PDUs are sent and accepted only per the negotiated masks, in order;
 * 4. every failure has a reason 1..15 and a message, never 'internal error';
 * 5. after a failure (or timeout) `handle()` returns nothing.
 *
 * Runs: SMP_FUZZ_RUNS (default 10,000, what CI runs; `npm run fuzz` runs
 * 1,000,000), split 50% random input, 35% mutated replay, 15% loopback with a
 * man in the middle. SMP_FUZZ_SEED fixes fast-check's seed (it prints the seed
 * and path of any failure).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { P256KeyPair } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { equalBytes, reverse, toHex } from '../../src/crypto/bytes.js';
import { DEBUG_PUBLIC_KEY } from '../../src/crypto/p256.js';
import type { RandomSource } from '../../src/crypto/random.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import {
  AuthReq,
  type DeviceAddress,
  decodePdu,
  encodePdu,
  formatAddress,
  type KeyPduType,
  type Keypress,
  keyPdusFor,
  type LoopbackRun,
  type OobData,
  type Opcode,
  type PairingDelegate,
  type PairingFailure,
  type PairingFeatures,
  type PairingPolicy,
  type PairingResult,
  PairingSession,
  PDU_LENGTH,
  pairInMemory,
  Reason,
  RepeatedAttempts,
  type Role,
  type SessionInput,
  type SessionOptions,
  type SessionOutput,
  type SessionPhase,
  type SmpPdu,
} from '../../src/smp/index.js';

// ------------------------------------------------------------------ budget

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}
const TOTAL_RUNS = positiveInteger('SMP_FUZZ_RUNS', 10_000);
const SEED = process.env.SMP_FUZZ_SEED ? Number(process.env.SMP_FUZZ_SEED) : undefined;
if (SEED !== undefined && !Number.isInteger(SEED)) throw new Error('SMP_FUZZ_SEED must be an integer');
/** The split of the budget: cheap direct fuzzing gets most runs; full pairings cost P-256 work. */
const SHARE = { random: 0.5, replay: 0.35, loopback: 0.15 } as const;
const runsOf = (share: number) => Math.max(1, Math.ceil(TOTAL_RUNS * share));
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(SEED === undefined ? {} : { seed: SEED }),
});
/** Per-test time limit: generous per run (measured well under 1 ms per run on average), never below 2 minutes. */
const timeLimit = (numRuns: number) => Math.max(120_000, numRuns * 10);

// ------------------------------------------------------------------- setup

const tb = toolbox(nodeBackend);

/** Fixed P-256 key pairs (fixed so that a seed reproduces a run); key generation is the slow part of SC. */
const POOL: readonly P256KeyPair[] = Array.from({ length: 6 }, (_, i) => {
  const privateKey = reverse(createHash('sha256').update(`ble-smp fuzz key ${i}`).digest());
  return { privateKey, publicKey: tb.derivePublicKey(privateKey) };
});

/** A seeded RandomSource (mulberry32), so the same seed replays the same nonces. */
function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      out[i] = (t ^ (t >>> 14)) & 0xff;
    }
    return out;
  };
}

const VALID_REASONS: ReadonlySet<number> = new Set(Object.values(Reason));
const PAIRING_PHASES: ReadonlySet<SessionPhase> = new Set([
  'awaiting-response',
  'awaiting-accept',
  'legacy',
  'secure-connections',
  'encrypting',
  'distributing',
]);
const CRYPTO_OPCODES: ReadonlySet<number> = new Set([0x03, 0x04, 0x0c, 0x0d]);
const other = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator');

/** Uint8Arrays as hex, for deep comparisons and messages. */
const normalise = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? toHex(value)
    : Array.isArray(value)
      ? value.map(normalise)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]))
        : value;

function violation(message: string, detail?: unknown): never {
  throw new Error(detail === undefined ? message : `${message}: ${JSON.stringify(normalise(detail))}`);
}

// ------------------------------------------------------ invariant checking

/** The key PDUs a mask names, as the receive side must expect them. */
const fieldsOf: Record<KeyPduType, readonly string[]> = {
  'encryption-information': ['ltk'],
  'central-identification': ['ediv', 'rand'],
  'identity-information': ['irk'],
  'identity-address-information': ['identityAddress'],
  'signing-information': ['csrk'],
};
function expectedKeyFields(mask: number, sc: boolean): string[] {
  return keyPdusFor(mask, sc)
    .flatMap((type) => fieldsOf[type])
    .sort();
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  return prefix.length <= of.length && prefix.every((item, i) => item === of[i]);
}

/** Invariant 4: the failure is well formed. */
function checkFailure(failure: PairingFailure): void {
  if (!Number.isInteger(failure.reason) || !VALID_REASONS.has(failure.reason)) {
    violation(`failure reason 0x${failure.reason.toString(16)} is not a valid reason code (1..15)`, failure);
  }
  if (typeof failure.message !== 'string' || failure.message.trim() === '')
    violation('empty failure message', failure);
  if (failure.message.startsWith('internal error')) violation('the engine caught a bug of its own', failure);
  if (failure.by !== 'local' && failure.by !== 'peer') violation('failure.by', failure);
  if (failure.timeout && failure.by !== 'local') violation('a timeout failure must be local', failure);
}

/** What one side negotiated, as seen from that side. */
interface NegotiatedView {
  readonly request: PairingFeatures;
  readonly response: PairingFeatures;
}
const scOf = (n: NegotiatedView) =>
  (n.request.authReq & n.response.authReq & AuthReq.SecureConnections) !== 0;
const ownMask = (role: Role, n: NegotiatedView) =>
  role === 'initiator' ? n.response.initiatorKeys : n.response.responderKeys;
const peerMask = (role: Role, n: NegotiatedView) =>
  role === 'initiator' ? n.response.responderKeys : n.response.initiatorKeys;

/** Invariant 3 on a completed result: each side's keys are exactly those of its negotiated mask. */
function checkResult(role: Role, result: PairingResult, negotiated: NegotiatedView | null): void {
  if (!negotiated) violation('completed without a negotiated feature exchange', result);
  const sc = scOf(negotiated);
  if (result.secureConnections !== sc)
    violation('result.secureConnections differs from the exchange', result);
  if (result.method !== (sc ? 'sc' : 'legacy')) violation('result.method differs from the exchange', result);
  if (result.keySize !== Math.min(negotiated.request.maxKeySize, negotiated.response.maxKeySize))
    violation('result.keySize is not the negotiated size', result);
  const peer = Object.keys(result.peerKeys).sort();
  const wantPeer = expectedKeyFields(peerMask(role, negotiated), sc);
  if (JSON.stringify(peer) !== JSON.stringify(wantPeer))
    violation(`peer keys ${peer} do not match the peer's negotiated mask (${wantPeer})`, result);
  const local = Object.keys(result.localKeys).sort();
  const wantLocal = expectedKeyFields(ownMask(role, negotiated), sc);
  if (JSON.stringify(local) !== JSON.stringify(wantLocal))
    violation(`local keys ${local} do not match our negotiated mask (${wantLocal})`, result);
  if (result.encryptionKey.length !== 16) violation('encryption key is not 16 octets', result);
  for (let i = result.keySize; i < 16; i++)
    if (result.encryptionKey[i] !== 0) violation('encryption key is not masked to the key size', result);
}

const featuresOf = (pdu: SmpPdu): PairingFeatures | null =>
  pdu.type === 'pairing-request' || pdu.type === 'pairing-response'
    ? {
        ioCapability: pdu.ioCapability,
        oobDataPresent: pdu.oobDataPresent,
        authReq: pdu.authReq,
        maxKeySize: pdu.maxKeySize,
        initiatorKeys: pdu.initiatorKeys,
        responderKeys: pdu.responderKeys,
      }
    : null;

const KEY_TYPES: ReadonlySet<string> = new Set(Object.keys(fieldsOf));
const isKeyType = (type: string): type is KeyPduType => KEY_TYPES.has(type);

/**
 * A session with every invariant checked after each `handle()`: it mirrors
 * what it can see from outside (the negotiated features, the pending prompt,
 * acknowledgements, encryption) and fails the property on any violation.
 */
class Probe {
  readonly session: PairingSession;
  failure: PairingFailure | null = null;
  result: PairingResult | null = null;
  /** The prompt awaiting an answer, as the session must see it. */
  pending: number | null = null;
  /** Every prompt id issued. */
  readonly prompts: { id: number; kind: string }[] = [];
  request: PairingFeatures | null = null;
  response: PairingFeatures | null = null;
  readonly sentKeys: KeyPduType[] = [];
  readonly acceptedKeys: KeyPduType[] = [];
  encrypted = false;
  controllerKey: Uint8Array | null = null;
  unacknowledged = false;

  constructor(
    readonly role: Role,
    options: Omit<SessionOptions, 'role'>,
  ) {
    this.session = new PairingSession({ ...options, role });
  }

  get negotiated(): NegotiatedView | null {
    return this.request && this.response ? { request: this.request, response: this.response } : null;
  }

  handle(input: SessionInput): SessionOutput[] {
    const before = this.session.phase;
    let outputs: SessionOutput[];
    try {
      outputs = this.session.handle(input); // invariant 1
    } catch (error) {
      violation(`handle() threw on ${describeInput(input)} in phase ${before}: ${(error as Error).stack}`);
    }
    const after = this.session.phase;
    if (!Array.isArray(outputs)) violation('handle() did not return an array');
    const where = `${this.role} in phase ${before} given ${describeInput(input)}`;
    // Invariant 5: nothing after the end.
    if ((this.failure || this.result) && outputs.length > 0)
      violation(`${where}: outputs after ${this.failure ? 'failure' : 'completion'}`, outputs);

    const decoded = input.type === 'pdu' ? decodePdu(input.data) : null;
    const pdu = decoded?.ok ? decoded.pdu : null;
    if (input.type === 'acknowledged') this.unacknowledged = false;
    if (input.type === 'answer') {
      if (input.id === this.pending) this.pending = null;
      else if (outputs.length > 0)
        violation(`${where}: an answer to a prompt not pending had effects`, outputs);
    }
    if (input.type === 'timeout' && PAIRING_PHASES.has(before)) {
      const failed = outputs.find((o) => o.type === 'failed');
      if (!failed?.failure.timeout) violation(`${where}: the SMP timeout did not fail the pairing`, outputs);
      if (outputs.some((o) => o.type === 'send')) violation(`${where}: a PDU was sent on timeout`, outputs);
    }
    if (input.type === 'encrypted' && before === 'encrypting' && after !== 'failed') this.encrypted = true;
    // Negotiation, as each role sees it.
    if (pdu?.type === 'pairing-response' && before === 'awaiting-response' && after !== 'failed')
      this.response = featuresOf(pdu);
    if (pdu?.type === 'pairing-request' && before === 'idle' && after === 'awaiting-accept')
      this.request = featuresOf(pdu);
    // Invariant 3, receiving: a key PDU is accepted only as the next one of the peer's mask.
    if (pdu && isKeyType(pdu.type)) {
      if (before === 'distributing' && (after === 'distributing' || after === 'completed')) {
        this.acceptedKeys.push(pdu.type);
        const n = this.negotiated;
        if (!n || !this.encrypted) violation(`${where}: key PDU accepted before encryption`);
        const allowed = keyPdusFor(peerMask(this.role, n), scOf(n));
        if (!isPrefix(this.acceptedKeys, allowed))
          violation(`${where}: accepted key PDUs ${this.acceptedKeys} outside the peer's mask (${allowed})`);
      } else if (PAIRING_PHASES.has(before) && before !== 'distributing' && after !== 'failed') {
        violation(`${where}: a key PDU before distribution did not fail the pairing`, outputs);
      }
    }

    let ended = false;
    let failedPduReason: number | null = null;
    for (const output of outputs) {
      if (ended) violation(`${where}: output after failed/completed in the same batch`, outputs);
      switch (output.type) {
        case 'send': {
          const check = decodePdu(output.data);
          if (!check.ok || !equalBytes(encodePdu(output.pdu), output.data))
            violation(`${where}: sent octets do not encode the PDU`, output);
          this.unacknowledged = true;
          if (output.pdu.type === 'pairing-failed') failedPduReason = output.pdu.reason;
          if (output.pdu.type === 'pairing-request') this.request = featuresOf(output.pdu);
          if (output.pdu.type === 'pairing-response') this.response = featuresOf(output.pdu);
          if (isKeyType(output.pdu.type)) {
            // Invariant 3, sending: only on the encrypted link, only the keys of our mask, in order.
            this.sentKeys.push(output.pdu.type);
            const n = this.negotiated;
            if (!n || !this.encrypted) violation(`${where}: key PDU sent before encryption`, output);
            const allowed = keyPdusFor(ownMask(this.role, n), scOf(n));
            if (!isPrefix(this.sentKeys, allowed))
              violation(`${where}: sent key PDUs ${this.sentKeys} outside our mask (${allowed})`);
          }
          break;
        }
        case 'prompt':
          this.prompts.push({ id: output.id, kind: output.prompt.kind });
          if (output.prompt.kind !== 'display-passkey') this.pending = output.id;
          break;
        case 'start-encryption':
        case 'provide-key':
          this.controllerKey = output.key;
          break;
        case 'failed':
          checkFailure(output.failure);
          if (output.failure.by === 'local' && !output.failure.timeout) {
            if (failedPduReason !== output.failure.reason)
              violation(`${where}: local failure without a matching Pairing Failed`, outputs);
          } else if (failedPduReason !== null) {
            violation(`${where}: Pairing Failed sent on a peer failure or timeout`, outputs);
          }
          this.failure = output.failure;
          this.pending = null;
          ended = true;
          break;
        case 'completed':
          checkResult(this.role, output.result, this.negotiated);
          if (this.unacknowledged) violation(`${where}: completed before our last PDU was acknowledged`);
          if (!this.encrypted) violation(`${where}: completed without encryption`);
          if (!this.controllerKey || !equalBytes(this.controllerKey, output.result.encryptionKey))
            violation(`${where}: completed with a key other than the one given to the controller`);
          this.result = output.result;
          ended = true;
          break;
        default:
          break;
      }
    }
    if (this.failure && after !== 'failed') violation(`${where}: failed output but phase ${after}`);
    return outputs;
  }
}

function describeInput(input: SessionInput): string {
  if (input.type === 'pdu') return `pdu ${toHex(input.data)}`;
  if (input.type === 'answer') return `answer #${input.id} ${fc.stringify(input.value)}`;
  return JSON.stringify(input);
}

// ---------------------------------------------------------- arbitraries

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const octet = fc.integer({ min: 0, max: 255 });
const address: fc.Arbitrary<DeviceAddress> = fc.record({
  address: bytes(6),
  type: fc.constantFrom(0 as const, 1 as const),
});
/** A public address or a static random one: what Identity Address Information must carry. */
const identityAddress: fc.Arbitrary<DeviceAddress> = fc
  .record({ address: bytes(6), type: fc.constantFrom(0 as const, 1 as const) })
  .map(({ address, type }) => {
    const a = address.slice();
    if (type === 1) a[5] = a[5]! | 0xc0;
    return { address: a, type };
  });

/** AuthReq as a sender may encode it (reserved bits clear; the air octets below set them). */
const authReq = fc.oneof(
  fc.integer({ min: 0, max: 0x3f }),
  fc.constantFrom(0x00, 0x01, 0x05, 0x08, 0x09, 0x0c, 0x0d, 0x1d, 0x2d),
);
const features: fc.Arbitrary<PairingFeatures> = fc.record({
  ioCapability: fc.integer({ min: 0, max: 4 }),
  oobDataPresent: fc.boolean(),
  authReq,
  maxKeySize: fc.oneof(fc.constant(16), fc.integer({ min: 7, max: 16 })),
  initiatorKeys: fc.integer({ min: 0, max: 15 }),
  responderKeys: fc.integer({ min: 0, max: 15 }),
});
/** Features a peer is likely to offer: SC, a 16-octet key, modest key masks. */
const plausibleFeatures: fc.Arbitrary<PairingFeatures> = fc.record({
  ioCapability: fc.integer({ min: 0, max: 4 }),
  oobDataPresent: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
  authReq: fc
    .tuple(
      fc.integer({ min: 0, max: 0x3f }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
    )
    .map(([a, sc]) => (sc ? a | AuthReq.SecureConnections : a & ~AuthReq.SecureConnections)),
  maxKeySize: fc.oneof({ weight: 4, arbitrary: fc.constant(16) }, fc.integer({ min: 7, max: 16 })),
  initiatorKeys: fc.integer({ min: 0, max: 7 }),
  responderKeys: fc.integer({ min: 0, max: 7 }),
});
/** A Pairing Request or Response as octets, reserved values and bits included. */
const rawFeaturePdu: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom(0x01, 0x02),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }, octet),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1 }) }, octet),
    octet,
    fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 7, max: 16 }) }, octet),
    octet,
    octet,
  )
  .map((octets) => Uint8Array.from(octets));
const publicKey = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: POOL.length - 1 }).map((i) => POOL[i]!.publicKey) },
  { weight: 1, arbitrary: fc.constant(DEBUG_PUBLIC_KEY) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(64)) },
  { weight: 2, arbitrary: bytes(64) },
);
/** Any well-formed-enough PDU (encodable; the receiver may still find fields out of range). */
const anyPdu: fc.Arbitrary<SmpPdu> = fc.oneof(
  features.map((f) => ({ type: 'pairing-request' as const, ...f })),
  features.map((f) => ({ type: 'pairing-response' as const, ...f })),
  bytes(16).map((value) => ({ type: 'pairing-confirm' as const, value })),
  bytes(16).map((value) => ({ type: 'pairing-random' as const, value })),
  octet.map((reason) => ({ type: 'pairing-failed' as const, reason })),
  bytes(16).map((ltk) => ({ type: 'encryption-information' as const, ltk })),
  fc
    .record({ ediv: fc.integer({ min: 0, max: 0xffff }), rand: bytes(8) })
    .map((f) => ({ type: 'central-identification' as const, ...f })),
  bytes(16).map((irk) => ({ type: 'identity-information' as const, irk })),
  fc
    .record({
      addressType: fc.integer({ min: 0, max: 1 }),
      address: fc.oneof(
        bytes(6),
        identityAddress.map((a) => a.address),
      ),
    })
    .map((f) => ({ type: 'identity-address-information' as const, ...f })),
  bytes(16).map((csrk) => ({ type: 'signing-information' as const, csrk })),
  authReq.map((a) => ({ type: 'security-request' as const, authReq: a })),
  publicKey.map((k) => ({ type: 'pairing-public-key' as const, publicKey: k })),
  bytes(16).map((value) => ({ type: 'pairing-dhkey-check' as const, value })),
  fc.integer({ min: 0, max: 4 }).map((n) => ({ type: 'keypress-notification' as const, notification: n })),
);
/** Octets from the air: raw noise, a code with a body of (about) its length, or a PDU. */
const airBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 70 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 0x10 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: -3, max: 3 })),
        fc.uint8Array({ minLength: 70, maxLength: 70 }),
      )
      .map(([code, delta, body]) => {
        const length = Math.max(1, (PDU_LENGTH[code as Opcode] ?? 2) + delta);
        const out = body.slice(0, length);
        out[0] = code;
        return out;
      }),
  },
  { weight: 5, arbitrary: anyPdu.map(encodePdu) },
  { weight: 1, arbitrary: rawFeaturePdu },
);

/** A value with hostile coercions, for answers. */
class Hostile {
  [fc.toStringMethod](): string {
    return 'Hostile';
  }
  valueOf(): never {
    throw new Error('hostile valueOf');
  }
  toString(): never {
    throw new Error('hostile toString');
  }
  [Symbol.toPrimitive](): never {
    throw new Error('hostile toPrimitive');
  }
}
/** Answers a user (or a buggy UI) might give. */
const answerValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(true, false, null, undefined, 0, -1, 999_999, 1_000_000, 123_456, Number.NaN),
  fc.constantFrom<unknown>(Number.POSITIVE_INFINITY, -0, 0.5, 1e21, '123456', 'true', 123_456n, [], {}),
  fc.integer({ min: -5, max: 1_100_000 }),
  fc.double(),
  fc.jsonValue(),
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withSparseArray: true,
  }),
  fc.constant(new Hostile()),
);

const keypress = fc.integer({ min: 0, max: 4 }).map((n) => n as Keypress);

/** Host events that never lie about the controller (no spurious 'encrypted'). */
const honestHostInput: fc.Arbitrary<SessionInput> = fc.oneof(
  fc.constant<SessionInput>({ type: 'acknowledged' }),
  fc.constant<SessionInput>({ type: 'timeout' }),
  fc.constant<SessionInput>({ type: 'encryption-failed' }),
  keypress.map((notification): SessionInput => ({ type: 'keypress', notification })),
  fc
    .record({ id: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.integer()), value: answerValue })
    .map(({ id, value }): SessionInput => ({ type: 'answer', id, value })),
);

// -------------------------------------------------- 1. random session input

type Step =
  | { readonly t: 'pdu'; readonly data: Uint8Array }
  | { readonly t: 'answer-pending'; readonly value: unknown }
  | { readonly t: 'input'; readonly input: SessionInput };

const anyPolicy: fc.Arbitrary<Partial<PairingPolicy>> = fc
  .record({
    ioCapability: fc.integer({ min: 0, max: 4 }).map((n) => n as PairingPolicy['ioCapability']),
    bonding: fc.boolean(),
    requestMitm: fc.boolean(),
    requireMitm: fc.boolean(),
    allowLegacy: fc.boolean(),
    secureConnections: fc.boolean(),
    allowDebugKeys: fc.boolean(),
    sizes: fc.tuple(fc.integer({ min: 7, max: 16 }), fc.integer({ min: 7, max: 16 })),
    keypress: fc.boolean(),
    initiatorKeys: fc.integer({ min: 0, max: 15 }),
    responderKeys: fc.integer({ min: 0, max: 15 }),
  })
  .map(({ sizes, ...p }) => ({
    ...p,
    secureConnections: p.secureConnections || !p.allowLegacy,
    minKeySize: Math.min(...sizes),
    maxKeySize: Math.max(...sizes),
  }));

/** One session's set-up as plain data (so that a counterexample prints readably). */
const anySessionSetup = fc.record({
  local: address,
  peer: address,
  policy: anyPolicy,
  identity: fc.option(
    fc.record(
      { address: fc.oneof(identityAddress, address), irk: bytes(16), csrk: bytes(16) },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  key: fc.integer({ min: 0, max: POOL.length - 1 }),
  seed: fc.integer(),
  oob: fc.option(
    fc.oneof(
      bytes(16).map((tk) => ({ peer: { tk } })),
      fc
        .record({ random: bytes(16), confirm: bytes(16), localRandom: bytes(16) })
        .map(({ localRandom, ...peer }) => ({ peer, localRandom })),
      bytes(16).map((localRandom) => ({ localRandom })),
    ),
    { nil: undefined },
  ),
  /** A recent failure with this peer (Repeated Attempts). */
  failedBefore: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
});
type SessionSetup = typeof anySessionSetup extends fc.Arbitrary<infer T> ? T : never;

function sessionOptions({
  key,
  seed,
  identity,
  oob,
  failedBefore,
  ...rest
}: SessionSetup): Omit<SessionOptions, 'role'> {
  const attempts = new RepeatedAttempts({ now: () => 0 });
  if (failedBefore) attempts.recordFailure(`${formatAddress(rest.peer.address)}/${rest.peer.type}`); // the session's peerId
  return {
    ...rest,
    crypto: tb,
    random: seededRandom(seed),
    keyPair: POOL[key]!,
    attempts,
    ...(identity === undefined ? {} : { identity }),
    ...(oob === undefined ? {} : { oob }),
  };
}

const stepFor = (role: Role): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 6, arbitrary: airBytes.map((data): Step => ({ t: 'pdu', data })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof({ weight: 3, arbitrary: fc.constant<unknown>(true) }, answerValue)
        .map((value): Step => ({ t: 'answer-pending', value })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          honestHostInput,
          fc.constant<SessionInput>({ type: 'encrypted' }),
          fc
            .oneof({ weight: 3, arbitrary: fc.integer({ min: 7, max: 16 }) }, fc.integer({ min: 0, max: 40 }))
            .map((keySize): SessionInput => ({ type: 'encrypted', keySize })),
          fc.constant<SessionInput>(role === 'initiator' ? { type: 'start' } : { type: 'request-security' }),
        )
        .map((input): Step => ({ t: 'input', input })),
    },
  );

const randomScript = fc.constantFrom<Role>('initiator', 'responder').chain((role) =>
  fc.record({
    role: fc.constant(role),
    setup: anySessionSetup,
    /** Mostly begin the way a pairing begins, so that later steps meet a pairing under way. */
    opening: fc.option(
      role === 'initiator'
        ? fc
            .option(plausibleFeatures, { nil: null })
            .map((f): Step[] => [
              { t: 'input', input: { type: 'start' } },
              ...(f ? [{ t: 'pdu' as const, data: encodePdu({ type: 'pairing-response', ...f }) }] : []),
              { t: 'answer-pending', value: true },
            ])
        : plausibleFeatures.map((f): Step[] => [
            { t: 'pdu', data: encodePdu({ type: 'pairing-request', ...f }) },
            { t: 'answer-pending', value: true },
          ]),
      { freq: 5, nil: [] },
    ),
    steps: fc.array(stepFor(role), { minLength: 1, maxLength: 30 }),
  }),
);

function runScript(role: Role, options: Omit<SessionOptions, 'role'>, steps: readonly Step[]): Probe {
  const probe = new Probe(role, options);
  for (const step of steps) {
    if (step.t === 'pdu') probe.handle({ type: 'pdu', data: step.data });
    else if (step.t === 'answer-pending') {
      const id = probe.pending ?? probe.prompts.at(-1)?.id ?? 1;
      probe.handle({ type: 'answer', id, value: step.value });
    } else probe.handle(step.input);
  }
  return probe;
}

// ------------------------------------------------------ honest pairings

/** One side of an honest pairing. */
interface SideSetup {
  readonly address: DeviceAddress;
  readonly policy: Partial<PairingPolicy>;
  readonly identity: { address?: DeviceAddress; irk?: Uint8Array; csrk?: Uint8Array } | undefined;
  readonly key: number;
  readonly seed: number;
  /** Our SC OOB random; whether the peer got our OOB data; the legacy TK if we hold it. */
  readonly oobRandom: Uint8Array;
  readonly peerHasOurOob: boolean;
  readonly tk: Uint8Array | null;
}
/** Two compatible sides: every such pairing must complete when nobody interferes. */
interface PairSetup {
  readonly sc: boolean;
  readonly initiator: SideSetup;
  readonly responder: SideSetup;
  /** Passkey both type when neither displays. */
  readonly passkey: number;
}

/** What each side of an honest pairing chooses for itself. */
const sideRaw = fc.record({
  address,
  ioCapability: fc.integer({ min: 0, max: 4 }).map((n) => n as PairingPolicy['ioCapability']),
  bonding: fc.boolean(),
  requestMitm: fc.boolean(),
  allowLegacy: fc.boolean(),
  keypress: fc.boolean(),
  initiatorKeys: fc.integer({ min: 0, max: 15 }),
  responderKeys: fc.integer({ min: 0, max: 15 }),
  identity: fc.option(
    fc.record({ address: identityAddress, irk: bytes(16), csrk: bytes(16) }, { requiredKeys: [] }),
    { nil: undefined },
  ),
  seed: fc.integer(),
  oobRandom: bytes(16),
  peerHasOurOob: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
});

const pairSetup: fc.Arbitrary<PairSetup> = fc
  .record({
    sc: fc.boolean(),
    legacyOnly: fc.constantFrom<Role | 'both'>('initiator', 'responder', 'both'),
    maxKeySize: fc.tuple(fc.integer({ min: 7, max: 16 }), fc.integer({ min: 7, max: 16 })),
    minKeySize: fc.tuple(fc.integer({ min: 7, max: 16 }), fc.integer({ min: 7, max: 16 })),
    keys: fc.tuple(
      fc.integer({ min: 0, max: POOL.length - 1 }),
      fc.integer({ min: 1, max: POOL.length - 1 }),
    ),
    tk: fc.option(fc.tuple(bytes(16), fc.constantFrom<Role | 'both'>('initiator', 'responder', 'both')), {
      freq: 3,
    }),
    passkey: fc.integer({ min: 0, max: 999_999 }),
    sides: fc.tuple(sideRaw, sideRaw),
  })
  .map(({ sc, legacyOnly, maxKeySize, minKeySize, keys, tk, passkey, sides }) => {
    const limit = Math.min(...maxKeySize);
    const side = (role: Role, i: 0 | 1): SideSetup => {
      const raw = sides[i];
      const legacyOnlyHere = !sc && (legacyOnly === role || legacyOnly === 'both');
      const holdsTk = !sc && tk !== null && (tk[1] === role || tk[1] === 'both');
      return {
        address: raw.address,
        policy: {
          ioCapability: raw.ioCapability,
          bonding: raw.bonding,
          requestMitm: raw.requestMitm,
          allowLegacy: sc ? raw.allowLegacy : true,
          secureConnections: !legacyOnlyHere,
          maxKeySize: maxKeySize[i],
          minKeySize: Math.min(minKeySize[i], limit),
          keypress: raw.keypress,
          initiatorKeys: raw.initiatorKeys,
          responderKeys: raw.responderKeys,
        },
        identity: raw.identity,
        key: i === 0 ? keys[0] : (keys[0] + keys[1]) % POOL.length,
        // Two devices never share one random stream: equal nonces read as a reflected confirm (0x04).
        seed: i === 1 && raw.seed === sides[0].seed ? raw.seed + 1 : raw.seed,
        oobRandom: raw.oobRandom,
        peerHasOurOob: sc && raw.peerHasOurOob,
        tk: holdsTk ? tk[0] : null,
      };
    };
    return { sc, initiator: side('initiator', 0), responder: side('responder', 1), passkey };
  });

/** The session options of one side (a fresh seeded RandomSource each time: the same nonces each time). */
function optionsFor(setup: PairSetup, role: Role): Omit<SessionOptions, 'role'> {
  const me = setup[role];
  const peer = setup[other(role)];
  let peerOob: OobData | undefined;
  if (me.tk) peerOob = { tk: me.tk };
  else if (peer.peerHasOurOob) {
    const x = POOL[peer.key]!.publicKey.subarray(0, 32);
    peerOob = { random: peer.oobRandom, confirm: tb.f4(x, x, peer.oobRandom, 0) };
  }
  return {
    local: me.address,
    peer: peer.address,
    policy: me.policy,
    crypto: tb,
    random: seededRandom(me.seed),
    keyPair: POOL[me.key]!,
    ...(me.identity === undefined ? {} : { identity: me.identity }),
    oob: { ...(peerOob === undefined ? {} : { peer: peerOob }), localRandom: me.oobRandom },
  };
}

interface HonestPairing {
  readonly run: LoopbackRun;
  /** The passkey each side typed, if it typed one. */
  readonly entered: Partial<Record<Role, number>>;
}

/** Pairs two sides through pairInMemory; delegates accept, and type the passkey the other side shows. */
async function pair(
  setup: PairSetup,
  tamper?: (from: Role, data: Uint8Array) => Uint8Array | null,
): Promise<HonestPairing> {
  let shown: number | null = null;
  const entered: Partial<Record<Role, number>> = {};
  const delegate = (role: Role): PairingDelegate => ({
    acceptPairing: () => true,
    confirmJustWorks: () => true,
    confirmNumber: () => true,
    displayPasskey: (_peer, passkey) => {
      shown = passkey;
    },
    // The displaying side may prompt later in the same burst: read what it shows a macrotask later.
    enterPasskey: () =>
      new Promise<number>((resolve) =>
        setImmediate(() => {
          const value = shown ?? setup.passkey;
          entered[role] = value;
          resolve(value);
        }),
      ),
    oobData: () => null,
  });
  const run = await pairInMemory(
    { options: optionsFor(setup, 'initiator'), delegate: delegate('initiator') },
    { options: optionsFor(setup, 'responder'), delegate: delegate('responder') },
    tamper ? { tamper } : {},
  );
  return { run, entered };
}

/** The key a side gave its controller (start-encryption or provide-key). */
function controllerKeyOf(outputs: readonly SessionOutput[]): Uint8Array | null {
  let key: Uint8Array | null = null;
  for (const o of outputs) if (o.type === 'start-encryption' || o.type === 'provide-key') key = o.key;
  return key;
}

// -------------------------------------------------------- 2. mutated replay

type Item =
  | { readonly kind: 'pdu'; readonly data: Uint8Array }
  | { readonly kind: 'host'; readonly input: SessionInput };
type ListOp =
  | { readonly op: 'flip'; readonly at: number; readonly byte: number; readonly bit: number }
  | { readonly op: 'truncate'; readonly at: number; readonly keep: number }
  | { readonly op: 'extend'; readonly at: number; readonly extra: Uint8Array }
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number }
  | { readonly op: 'swap'; readonly at: number; readonly with: number }
  | { readonly op: 'insert'; readonly at: number; readonly item: Item }
  | { readonly op: 'replace'; readonly at: number; readonly data: Uint8Array };
type AnswerHow =
  | { readonly how: 'skip' }
  | { readonly how: 'twice' }
  | { readonly how: 'value'; readonly value: unknown }
  | { readonly how: 'wrong-id'; readonly offset: number; readonly value: unknown };

const position = fc.nat(1000);
const listOp: fc.Arbitrary<ListOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('flip' as const),
      at: position,
      byte: fc.nat(100),
      bit: fc.nat(7),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('truncate' as const), at: position, keep: fc.nat(100) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('extend' as const),
      at: position,
      extra: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), at: position }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: position }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('swap' as const),
      at: position,
      with: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 1000 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: position,
      item: fc.oneof(
        airBytes.map((data): Item => ({ kind: 'pdu', data })),
        honestHostInput.map((input): Item => ({ kind: 'host', input })),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replace' as const), at: position, data: airBytes }) },
);
const answerHow: fc.Arbitrary<AnswerHow> = fc.oneof(
  fc.constant({ how: 'skip' as const }),
  fc.constant({ how: 'twice' as const }),
  answerValue.map((value) => ({ how: 'value' as const, value })),
  fc
    .record({
      offset: fc.oneof(fc.constantFrom(1, -1), fc.integer({ min: -1000, max: 1000 })),
      value: answerValue,
    })
    .map(({ offset, value }) => ({ how: 'wrong-id' as const, offset: offset || 1, value })),
);
const replayPlanArb: fc.Arbitrary<ReplayPlan> = fc.record({
  role: fc.constantFrom<Role>('initiator', 'responder'),
  ops: fc.array(listOp, { maxLength: 4 }),
  /** Answer overrides by prompt number (0: the first prompt). */
  answers: fc.array(fc.tuple(fc.nat(4), answerHow), { maxLength: 2 }),
  withholdAcks: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, fc.constant(true)),
  /** The controller reports the key size with 'encrypted'. */
  reportKeySize: fc.boolean(),
});

function applyOps(items: Item[], ops: readonly ListOp[]): Item[] {
  const list = items.slice();
  for (const op of ops) {
    if (list.length === 0 && op.op !== 'insert') continue;
    const at = list.length === 0 ? 0 : op.at % list.length;
    const item = list[at];
    const pduAt = item?.kind === 'pdu' ? item.data : null;
    switch (op.op) {
      case 'flip':
        if (pduAt && pduAt.length > 0) {
          const data = pduAt.slice();
          const i = op.byte % data.length;
          data[i] = data[i]! ^ (1 << op.bit);
          list[at] = { kind: 'pdu', data };
        }
        break;
      case 'truncate':
        if (pduAt) list[at] = { kind: 'pdu', data: pduAt.slice(0, op.keep % Math.max(1, pduAt.length)) };
        break;
      case 'extend':
        if (pduAt) list[at] = { kind: 'pdu', data: Uint8Array.from([...pduAt, ...op.extra]) };
        break;
      case 'drop':
        list.splice(at, 1);
        break;
      case 'duplicate':
        list.splice(at, 0, item!);
        break;
      case 'swap': {
        const j = (at + op.with) % list.length;
        [list[at], list[j]] = [list[j]!, list[at]!];
        break;
      }
      case 'insert':
        list.splice(op.at % (list.length + 1), 0, op.item);
        break;
      case 'replace':
        list[at] = { kind: 'pdu', data: op.data };
        break;
    }
  }
  return list;
}

interface ReplayPlan {
  readonly role: Role;
  readonly ops: readonly ListOp[];
  readonly answers: ReadonlyArray<readonly [number, AnswerHow]>;
  readonly withholdAcks: boolean;
  readonly reportKeySize: boolean;
}

/**
 * Replays the honest peer's PDUs (mutated) to a fresh session with the same
 * options as the honest side, so that unmutated it pairs exactly as before.
 * The host is honest: it acknowledges each PDU, answers prompts as the honest
 * user did (unless the plan says otherwise) and reports encryption only when
 * the session's key is the key the honest peer gave its controller.
 */
function replay(setup: PairSetup, honest: HonestPairing, plan: ReplayPlan): Probe {
  const { role } = plan;
  const probe = new Probe(role, optionsFor(setup, role));
  const peerKey = controllerKeyOf(honest.run.outputs[other(role)]);
  const mine = honest.run[role];
  const encrypted: SessionInput =
    plan.reportKeySize && mine.status === 'completed'
      ? { type: 'encrypted', keySize: mine.result.keySize }
      : { type: 'encrypted' };
  const overrides = new Map(plan.answers);
  const queue: SessionInput[] = [];
  let promptCount = 0;
  const honestAnswer = (kind: string): unknown =>
    kind === 'enter-passkey' ? (honest.entered[role] ?? setup.passkey) : true;
  const feed = (input: SessionInput) => {
    for (const output of probe.handle(input)) {
      if (output.type === 'send' && !plan.withholdAcks) queue.push({ type: 'acknowledged' });
      if (output.type === 'start-encryption' || output.type === 'provide-key') {
        queue.push(peerKey && equalBytes(peerKey, output.key) ? encrypted : { type: 'encryption-failed' });
      }
      if (output.type === 'prompt' && output.prompt.kind !== 'display-passkey') {
        const { id } = output;
        const value = honestAnswer(output.prompt.kind);
        const override = overrides.get(promptCount++) ?? { how: 'honest' as const };
        if (override.how === 'honest' || override.how === 'twice') queue.push({ type: 'answer', id, value });
        if (override.how === 'twice') queue.push({ type: 'answer', id, value });
        if (override.how === 'value') queue.push({ type: 'answer', id, value: override.value });
        if (override.how === 'wrong-id')
          queue.push({ type: 'answer', id: id + override.offset, value: override.value });
      }
    }
  };
  const drain = () => {
    for (let guard = 0; queue.length > 0; guard++) {
      if (guard > 10_000) violation('the session never settles');
      feed(queue.shift()!);
    }
  };
  const peerItems = honest.run.transcript
    .filter((entry) => entry.from !== role)
    .map((entry): Item => ({ kind: 'pdu', data: entry.data }));
  if (role === 'initiator') feed({ type: 'start' });
  drain();
  for (const item of applyOps(peerItems, plan.ops)) {
    feed(item.kind === 'pdu' ? { type: 'pdu', data: item.data } : item.input);
    drain();
  }
  return probe;
}

function expectHonestCompletion(setup: PairSetup, honest: HonestPairing): void {
  const { initiator, responder } = honest.run;
  if (initiator.status !== 'completed' || responder.status !== 'completed') {
    violation('an honest pairing of compatible sides did not complete', {
      setup,
      initiator,
      responder,
    });
  }
  expect(toHex(initiator.result.encryptionKey)).toBe(toHex(responder.result.encryptionKey));
  expect(normalise(initiator.result.peerKeys)).toEqual(normalise(responder.result.localKeys));
  expect(normalise(responder.result.peerKeys)).toEqual(normalise(initiator.result.localKeys));
  for (const field of ['secureConnections', 'model', 'keySize', 'authenticated', 'bonded'] as const)
    expect(initiator.result[field]).toBe(responder.result[field]);
  expect(initiator.result.secureConnections).toBe(setup.sc);
}

// ----------------------------------------------- 3. man in the middle (loopback)

type Tamper =
  | { readonly kind: 'flip'; readonly byte: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'extend'; readonly extra: Uint8Array }
  | { readonly kind: 'drop' }
  | { readonly kind: 'replay'; readonly back: number }
  | { readonly kind: 'inject'; readonly data: Uint8Array };
const tamperSpec = fc.record({
  /** Which PDU in flight (counting both directions), modulo the honest transcript's length. */
  target: fc.nat(1000),
  tamper: fc.oneof<fc.Arbitrary<Tamper>[]>(
    fc.record({ kind: fc.constant('flip' as const), byte: fc.nat(100), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(100) }),
    fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
    fc.constant({ kind: 'drop' as const }),
    fc.record({ kind: fc.constant('replay' as const), back: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ kind: fc.constant('inject' as const), data: airBytes }),
  ),
});

interface InFlight {
  readonly from: Role;
  readonly original: Uint8Array;
  readonly delivered: Uint8Array | null;
}

function mutate(tamper: Tamper, data: Uint8Array, earlier: readonly InFlight[]): Uint8Array | null {
  switch (tamper.kind) {
    case 'flip': {
      const out = data.slice();
      const i = tamper.byte % out.length;
      out[i] = out[i]! ^ (1 << tamper.bit);
      return out;
    }
    case 'truncate':
      return data.slice(0, tamper.keep % data.length);
    case 'extend':
      return Uint8Array.from([...data, ...tamper.extra]);
    case 'drop':
      return null;
    case 'replay':
      // An earlier PDU of either side, replayed or reflected in place of this one.
      return earlier.length === 0
        ? null
        : earlier[earlier.length - 1 - ((tamper.back - 1) % earlier.length)]!.original;
    case 'inject':
      return tamper.data;
  }
}

const altered = (f: InFlight) => f.delivered === null || !equalBytes(f.original, f.delivered);

/** Each side's view of the feature exchange, from what it sent and what was delivered to it. */
function viewOf(role: Role, flights: readonly InFlight[]): NegotiatedView | null {
  const sentBy = (r: Role, type: SmpPdu['type']) => {
    const f = flights.find((x) => x.from === r && decodeType(x.original) === type);
    return f ? decodeFeatures(f.original) : null;
  };
  const deliveredTo = (r: Role, type: SmpPdu['type']) => {
    const f = flights.find((x) => x.from !== r && x.delivered && decodeType(x.delivered) === type);
    return f?.delivered ? decodeFeatures(f.delivered) : null;
  };
  const request =
    role === 'initiator'
      ? sentBy('initiator', 'pairing-request')
      : deliveredTo('responder', 'pairing-request');
  const response =
    role === 'initiator'
      ? deliveredTo('initiator', 'pairing-response')
      : sentBy('responder', 'pairing-response');
  return request && response ? { request, response } : null;
}
function decodeType(data: Uint8Array): SmpPdu['type'] | null {
  const d = decodePdu(data);
  return d.ok ? d.pdu.type : null;
}
function decodeFeatures(data: Uint8Array): PairingFeatures | null {
  const d = decodePdu(data);
  return d.ok ? featuresOf(d.pdu) : null;
}

/** Invariants 3-5 on one side's output log from a loopback run. */
function auditSide(role: Role, outputs: readonly SessionOutput[], view: NegotiatedView | null): void {
  let ended = -1;
  let keyGiven = -1;
  const sent: KeyPduType[] = [];
  outputs.forEach((output, i) => {
    if (ended >= 0) violation(`${role}: output after failed/completed`, outputs.slice(ended));
    if (output.type === 'failed') {
      checkFailure(output.failure);
      ended = i;
    }
    if (output.type === 'completed') {
      checkResult(role, output.result, view);
      ended = i;
    }
    if (output.type === 'start-encryption' || output.type === 'provide-key') keyGiven = i;
    if (output.type === 'send' && isKeyType(output.pdu.type)) {
      if (keyGiven < 0 || !view) violation(`${role}: key PDU sent before encryption`, output);
      sent.push(output.pdu.type);
      const allowed = keyPdusFor(ownMask(role, view), scOf(view));
      if (!isPrefix(sent, allowed)) violation(`${role}: sent key PDUs ${sent} outside our mask (${allowed})`);
    }
  });
}

// ------------------------------------------------------------------ tests

describe(`PairingSession fuzz: ${TOTAL_RUNS} runs (${SEED === undefined ? 'random seed' : `seed ${SEED}`})`, () => {
  const randomRuns = runsOf(SHARE.random);
  it(
    `random PDUs, octets and answers, both roles (${randomRuns} runs)`,
    () => {
      fc.assert(
        fc.property(randomScript, ({ role, setup, opening, steps }) => {
          runScript(role, sessionOptions(setup), [...opening, ...steps]);
        }),
        params(randomRuns),
      );
    },
    timeLimit(randomRuns),
  );

  const replayRuns = runsOf(SHARE.replay);
  it(
    `mutated replays of honest pairings, both roles (${replayRuns} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(pairSetup, replayPlanArb, async (setup, plan) => {
          const honest = await pair(setup);
          expectHonestCompletion(setup, honest);
          const probe = replay(setup, honest, plan);
          const untouched = plan.ops.length === 0 && plan.answers.length === 0;
          if (probe.result) {
            const honestOutcome = honest.run[plan.role];
            if (honestOutcome.status !== 'completed') throw new Error('unreachable');
            // Completion needs the honest key (the host reports encryption only then).
            expect(toHex(probe.result.encryptionKey)).toBe(toHex(honestOutcome.result.encryptionKey));
            if (untouched) expect(normalise(probe.result)).toEqual(normalise(honestOutcome.result));
          } else if (untouched && !plan.withholdAcks) {
            violation(`an unmutated replay did not complete (${plan.role})`, { failure: probe.failure });
          }
          // (Completion before our last PDU was acknowledged is caught by the probe itself.)
        }),
        params(replayRuns),
      );
    },
    timeLimit(replayRuns),
  );

  const loopbackRuns = runsOf(SHARE.loopback);
  it(
    `pairInMemory with one PDU tampered in flight, legacy and SC (${loopbackRuns} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(pairSetup, tamperSpec, async (setup, spec) => {
          // Runs are deterministic: the tampered run is the honest one up to the target PDU.
          const length = (await pair(setup)).run.transcript.length;
          const target = spec.target % length;
          const { tamper } = spec;
          const flights: InFlight[] = [];
          const honest = await pair(setup, (from, data) => {
            const delivered = flights.length === target ? mutate(tamper, data, flights) : data;
            flights.push({ from, original: data.slice(), delivered });
            return delivered;
          });
          const { run } = honest;
          const views = { initiator: viewOf('initiator', flights), responder: viewOf('responder', flights) };
          for (const role of ['initiator', 'responder'] as const)
            auditSide(role, run.outputs[role], views[role]);

          const changed = flights.filter(altered);
          if (changed.length === 0 && tamper.kind !== 'replay' && tamper.kind !== 'inject')
            violation('the tamper altered nothing', { target, tamper });
          if (changed.length === 0) return expectHonestCompletion(setup, honest); // a replay of the same octets

          const outcome = { initiator: run.initiator, responder: run.responder };
          for (const role of ['initiator', 'responder'] as const) {
            const mine = outcome[role];
            if (mine.status !== 'completed') continue;
            // Invariant 2: a completed side holds the key the other side gave its controller.
            const theirs = controllerKeyOf(run.outputs[other(role)]);
            if (!theirs || !equalBytes(theirs, mine.result.encryptionKey))
              violation(`${role} completed with a key its peer does not hold`, { target, tamper });
            const peer = outcome[other(role)];
            if (
              peer.status === 'completed' &&
              !equalBytes(peer.result.encryptionKey, mine.result.encryptionKey)
            )
              violation('both completed with different keys', { target, tamper });
            // ...and never after a proof or an authenticated feature octet was altered.
            for (const f of changed) {
              const code = f.original[0]!;
              if (CRYPTO_OPCODES.has(code))
                violation(`${role} completed although a ${decodeType(f.original)} was altered`, {
                  target,
                  tamper,
                });
              if (code === 0x01 || code === 0x02) {
                const covered = mine.result.secureConnections ? [0, 1, 2, 3] : [0, 1, 2, 3, 4, 5, 6];
                if (!f.delivered || covered.some((i) => f.original[i] !== f.delivered![i]))
                  violation(`${role} completed although an authenticated feature octet was altered`, {
                    target,
                    tamper,
                    sc: mine.result.secureConnections,
                  });
              }
            }
          }
        }),
        params(loopbackRuns),
      );
    },
    timeLimit(loopbackRuns),
  );
});
