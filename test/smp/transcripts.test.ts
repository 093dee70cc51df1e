/**
 * Transcript replay: with the recorded randoms and keys injected, the engine
 * reproduces every PDU byte of the recorded legacy and SC pairings in
 * vectors/smp-spec-vectors.json (NimBLE recordings), in each role recorded,
 * and encrypts with the recorded STK or LTK.
 */
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { fromHex, reverse, toHex } from '../../src/crypto/bytes.js';
import { loadVectorFile, type StoredVector } from '../../src/crypto/selftest/vector-file.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { AuthReq } from '../../src/smp/constants.js';
import type { DeviceAddress } from '../../src/smp/delegate.js';
import { decodePdu, encodePdu, type PairingFeatures, type SmpPdu } from '../../src/smp/pdu.js';
import { PairingSession } from '../../src/smp/session.js';
import type { Role, SessionOutput } from '../../src/smp/session-types.js';
import { associationRow } from './association-table.js';

const data = loadVectorFile();
const tb = toolbox(nodeBackend);
const hex = (v: StoredVector, name: string) => fromHex(v.inputs[name] as string);

/** A random source that hands out exactly the recorded values, in order, and fails on anything else. */
function scripted(values: Uint8Array[]) {
  const queue = [...values];
  const source = (length: number) => {
    const next = queue.shift();
    if (!next || next.length !== length)
      throw new Error(`unexpected random(${length}); next scripted: ${next?.length}`);
    return next;
  };
  return Object.assign(source, { remaining: () => queue.length });
}

/** The policy that makes our session send exactly the recorded Pairing Request or Response. */
function policyFor(features: PairingFeatures) {
  return {
    ioCapability: features.ioCapability as 0,
    bonding: (features.authReq & AuthReq.Bonding) !== 0,
    requestMitm: (features.authReq & AuthReq.Mitm) !== 0,
    secureConnections: (features.authReq & AuthReq.SecureConnections) !== 0,
    allowLegacy: true,
    minKeySize: 7,
    maxKeySize: features.maxKeySize,
    initiatorKeys: features.initiatorKeys,
    responderKeys: features.responderKeys,
  };
}

function features(bytes: Uint8Array): PairingFeatures {
  const decoded = decodePdu(bytes);
  if (!decoded.ok || (decoded.pdu.type !== 'pairing-request' && decoded.pdu.type !== 'pairing-response')) {
    throw new Error('not a pairing request or response');
  }
  return decoded.pdu;
}

/**
 * Drives a session against the recorded peer: feeds the peer's PDUs in order,
 * answers prompts at once (accept, consent, confirm, the recorded passkey),
 * and returns every PDU the session sent and its encryption output.
 */
function replay(session: PairingSession, peerPdus: Uint8Array[], passkey?: number) {
  const sent: Uint8Array[] = [];
  let key: Uint8Array | null = null;
  const failures: string[] = [];
  const run = (outputs: SessionOutput[]) => {
    for (const out of outputs) {
      if (out.type === 'send') sent.push(out.data);
      if (out.type === 'start-encryption' || out.type === 'provide-key') key = out.key;
      if (out.type === 'failed') failures.push(out.failure.message);
      if (out.type === 'prompt') {
        const { kind } = out.prompt;
        if (kind === 'display-passkey') continue;
        const value = kind === 'enter-passkey' ? passkey : true;
        run(session.handle({ type: 'answer', id: out.id, value }));
      }
    }
  };
  if (session.role === 'initiator') run(session.handle({ type: 'start' }));
  for (const pdu of peerPdus) run(session.handle({ type: 'pdu', data: pdu }));
  return { sent: sent.map(toHex), key: key as Uint8Array | null, failures };
}

const pdu = (p: SmpPdu) => encodePdu(p);
const confirm = (value: Uint8Array) => pdu({ type: 'pairing-confirm', value });
const random = (value: Uint8Array) => pdu({ type: 'pairing-random', value });

describe.each(data.legacy_pairing_transcripts!.map((v) => [v.id, v] as const))(
  'legacy transcript %s',
  (_id, v) => {
    const preq = hex(v, 'preq_wire');
    const pres = hex(v, 'pres_wire');
    const tk = hex(v, 'TK_le');
    const passkey = tk[0]! | (tk[1]! << 8) | (tk[2]! << 16);
    const initiator: DeviceAddress = { address: hex(v, 'ia_le'), type: v.inputs.iat as 0 | 1 };
    const responder: DeviceAddress = { address: hex(v, 'ra_le'), type: v.inputs.rat as 0 | 1 };
    const mrand = hex(v, 'Mrand_wire');
    const srand = hex(v, 'Srand_wire');
    const mconfirm = fromHex(v.expected.Mconfirm_wire as string);
    const sconfirm = fromHex(v.expected.Sconfirm_wire as string);
    const method = String(v.method);

    it.each(['initiator', 'responder'] as Role[])('as %s: every PDU byte and the STK', (role) => {
      const ours = role === 'initiator' ? features(preq) : features(pres);
      // Passkey entry: the displaying side (per the independent association table) draws the passkey after its random.
      const weDisplay =
        method.startsWith('passkey') && passkeyDisplay(features(preq), features(pres)) === role;
      const script = scripted([
        role === 'initiator' ? mrand : srand,
        ...(weDisplay ? [Uint8Array.of(passkey & 0xff, (passkey >> 8) & 0xff, passkey >> 16)] : []),
      ]);
      const session = new PairingSession({
        role,
        local: role === 'initiator' ? initiator : responder,
        peer: role === 'initiator' ? responder : initiator,
        policy: policyFor(ours),
        crypto: tb,
        random: script,
        identity: { address: role === 'initiator' ? initiator : responder },
        ...(method === 'oob' ? { oob: { peer: { tk } } } : {}),
      });
      const peerPdus =
        role === 'initiator'
          ? [pres, confirm(sconfirm), random(srand)]
          : [preq, confirm(mconfirm), random(mrand)];
      const result = replay(session, peerPdus, passkey);
      expect(result.failures).toEqual([]);
      const expected =
        role === 'initiator'
          ? [preq, confirm(mconfirm), random(mrand)].map(toHex)
          : [pres, confirm(sconfirm), random(srand)].map(toHex);
      expect(result.sent).toEqual(expected);
      expect(toHex(result.key!)).toBe(v.expected.STK_le);
      expect(script.remaining()).toBe(0);
    });
  },
);

/** Who displays the passkey, from the independent association table. */
function passkeyDisplay(request: PairingFeatures, response: PairingFeatures): string | null {
  const bit = (f: PairingFeatures, b: number) => (f.authReq & b) !== 0;
  return associationRow({
    initiatorIo: request.ioCapability,
    responderIo: response.ioCapability,
    sc: bit(request, AuthReq.SecureConnections) && bit(response, AuthReq.SecureConnections),
    initiatorMitm: bit(request, AuthReq.Mitm),
    responderMitm: bit(response, AuthReq.Mitm),
    initiatorOob: request.oobDataPresent,
    responderOob: response.oobDataPresent,
  }).passkeyDisplay;
}

describe.each(data.sc_pairing_transcripts!.map((v) => [v.id, v] as const))('SC transcript %s', (_id, v) => {
  const role = v.nimble_role as Role;
  const preq = hex(v, 'preq_wire');
  const pres = hex(v, 'pres_wire');
  const [a1, a2] = [reverse(hex(v, 'A1')), reverse(hex(v, 'A2'))];
  const initiator: DeviceAddress = { address: a1.subarray(0, 6), type: a1[6] as 0 | 1 };
  const responder: DeviceAddress = { address: a2.subarray(0, 6), type: a2[6] as 0 | 1 };
  const pka = Uint8Array.from([...hex(v, 'PKa_x_wire'), ...hex(v, 'PKa_y_wire')]);
  const pkb = Uint8Array.from([...hex(v, 'PKb_x_wire'), ...hex(v, 'PKb_y_wire')]);
  const privateKey = hex(v, role === 'initiator' ? 'PrivateA_le' : 'PrivateB_le');
  const passkey = v.inputs.passkey as number | undefined;
  const rounds = (v.inputs.rounds ?? []) as Record<string, string>[];
  const ea = fromHex(v.expected.Ea_wire as string);
  const eb = fromHex(v.expected.Eb_wire as string);
  const publicKey = (p: Uint8Array) => pdu({ type: 'pairing-public-key', publicKey: p });
  const check = (value: Uint8Array) => pdu({ type: 'pairing-dhkey-check', value });

  it(`as ${role} (the recorded side): every PDU byte, all ${passkey === undefined ? '' : '20 rounds, '}and the LTK`, () => {
    const ours = features(role === 'initiator' ? preq : pres);
    let nonces: Uint8Array[];
    let peerPdus: Uint8Array[];
    let expected: Uint8Array[];
    if (passkey === undefined) {
      const [na, nb] = [hex(v, 'Na_wire'), hex(v, 'Nb_wire')];
      const cb = fromHex(v.expected.Cb_wire as string);
      nonces = [role === 'initiator' ? na : nb];
      peerPdus =
        role === 'initiator'
          ? [pres, publicKey(pkb), confirm(cb), random(nb), check(eb)]
          : [preq, publicKey(pka), random(na), check(ea)];
      expected =
        role === 'initiator'
          ? [preq, publicKey(pka), random(na), check(ea)]
          : [pres, publicKey(pkb), confirm(cb), random(nb), check(eb)];
    } else {
      expect(rounds).toHaveLength(20);
      const mine = role === 'initiator' ? 'Nai_wire' : 'Nbi_wire';
      nonces = rounds.map((r) => fromHex(r[mine]!));
      const perRound = (r: Record<string, string>, side: 'a' | 'b') => [
        confirm(fromHex(r[`C${side}i_wire`]!)),
        random(fromHex(r[`N${side}i_wire`]!)),
      ];
      const peerSide = role === 'initiator' ? 'b' : 'a';
      const ourSide = role === 'initiator' ? 'a' : 'b';
      peerPdus = [
        role === 'initiator' ? pres : preq,
        publicKey(role === 'initiator' ? pkb : pka),
        ...rounds.flatMap((r) => perRound(r, peerSide)),
        check(role === 'initiator' ? eb : ea),
      ];
      expected = [
        role === 'initiator' ? preq : pres,
        publicKey(role === 'initiator' ? pka : pkb),
        ...rounds.flatMap((r) => perRound(r, ourSide)),
        check(role === 'initiator' ? ea : eb),
      ];
    }
    // The displaying side draws the passkey (3 octets) after its first nonce; the typing side asks its user.
    const displays = passkey !== undefined && passkeyDisplay(features(preq), features(pres)) === role;
    const script = scripted(
      displays
        ? [
            nonces[0]!,
            Uint8Array.of(passkey & 0xff, (passkey >> 8) & 0xff, passkey >> 16),
            ...nonces.slice(1),
          ]
        : nonces,
    );
    const session = new PairingSession({
      role,
      local: role === 'initiator' ? initiator : responder,
      peer: role === 'initiator' ? responder : initiator,
      policy: policyFor(ours),
      crypto: tb,
      random: script,
      keyPair: { privateKey, publicKey: role === 'initiator' ? pka : pkb },
      identity: { address: role === 'initiator' ? initiator : responder },
    });
    const result = replay(session, peerPdus, passkey);
    expect(result.failures).toEqual([]);
    expect(result.sent).toEqual(expected.map(toHex));
    expect(toHex(result.key!)).toBe(v.expected.LTK_le);
    expect(script.remaining()).toBe(0);
  });
});
