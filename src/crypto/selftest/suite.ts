/**
 * The spec-vector suite: for every group of the vector file, the toolbox calls
 * that reproduce each vector, and a ready-made operation to time. The tests
 * and the `ble-smp vectors` command both run it, so there is one mapping from
 * vector fields to functions.
 * @module
 */
import { fromHex, reverse, toHex } from '../bytes.js';
import { maskKey } from '../key-size.js';
import { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY } from '../p256.js';
import type { Toolbox } from '../toolbox.js';
import type { StoredVector, VectorFile } from './vector-file.js';

/** One vector's outcome: every checked field, computed and expected, as hex or decimal text. */
export interface VectorResult {
  readonly group: string;
  readonly id: string;
  readonly actual: Record<string, string>;
  readonly expected: Record<string, string>;
  readonly passed: boolean;
}

/** How one group of vectors is reproduced. */
export interface VectorGroup {
  /** The group's key in the vector file. */
  readonly group: string;
  /** What the table calls it. */
  readonly label: string;
  /** Computes the checked fields of `vector`; returns `[actual, expected]`. */
  check(vector: StoredVector, tb: Toolbox): [Record<string, string>, Record<string, string>];
  /** A closure over `vector`'s parsed inputs doing the group's main operation once, to time. */
  operation(vector: StoredVector, tb: Toolbox): () => unknown;
}

function field(record: Record<string, unknown> | undefined, name: string, id: string): string {
  const value = record?.[name];
  if (typeof value !== 'string') throw new Error(`vector ${id}: field ${name} is missing or not hex`);
  return value;
}
function number(record: Record<string, unknown> | undefined, name: string, id: string): number {
  const value = record?.[name];
  if (typeof value !== 'number') throw new Error(`vector ${id}: field ${name} is missing or not a number`);
  return value;
}
/** An input in wire order (`inputs_le`). */
const inLe = (v: StoredVector, name: string) => fromHex(field(v.inputs_le, name, v.id));
/** An input as stored in `inputs` (spec order, or wire order for `*_wire`/`*_le` transcript fields). */
const inRaw = (v: StoredVector, name: string) => fromHex(field(v.inputs, name, v.id));
/** An expected value in wire order. */
const outLe = (v: StoredVector, name: string) => field(v.expected_le, name, v.id);
const outRaw = (v: StoredVector, name: string) => field(v.expected, name, v.id);
/** A spec-order hex value, given in wire order. */
const specToLe = (hex: string) => toHex(reverse(fromHex(hex)));

const single = (
  group: string,
  label: string,
  compute: (v: StoredVector, tb: Toolbox) => Record<string, string>,
  expected: (v: StoredVector) => Record<string, string>,
  operation: VectorGroup['operation'],
): VectorGroup => ({ group, label, check: (v, tb) => [compute(v, tb), expected(v)], operation });

function legacyTranscript(v: StoredVector, tb: Toolbox) {
  const tk = inRaw(v, 'TK_le');
  const preq = inRaw(v, 'preq_wire');
  const pres = inRaw(v, 'pres_wire');
  const ia = inRaw(v, 'ia_le');
  const ra = inRaw(v, 'ra_le');
  const iat = number(v.inputs, 'iat', v.id);
  const rat = number(v.inputs, 'rat', v.id);
  const mrand = inRaw(v, 'Mrand_wire');
  const srand = inRaw(v, 'Srand_wire');
  const keySize = number(v.inputs, 'encryption_key_size', v.id);
  return () => ({
    Mconfirm_wire: toHex(tb.c1(tk, mrand, preq, pres, iat, ia, rat, ra)),
    Sconfirm_wire: toHex(tb.c1(tk, srand, preq, pres, iat, ia, rat, ra)),
    STK_le: toHex(maskKey(tb.s1(tk, srand, mrand), keySize)),
  });
}

/** A recorded SC pairing: every confirm, the numeric value, DHKey, MacKey, LTK and both DHKey checks. */
function scTranscript(v: StoredVector, tb: Toolbox) {
  const preq = inRaw(v, 'preq_wire');
  const pres = inRaw(v, 'pres_wire');
  const a1 = reverse(inRaw(v, 'A1'));
  const a2 = reverse(inRaw(v, 'A2'));
  const pka = Uint8Array.from([...inRaw(v, 'PKa_x_wire'), ...inRaw(v, 'PKa_y_wire')]);
  const pkb = Uint8Array.from([...inRaw(v, 'PKb_x_wire'), ...inRaw(v, 'PKb_y_wire')]);
  const weAreA = v.inputs.PrivateA_le !== undefined;
  const privateKey = inRaw(v, weAreA ? 'PrivateA_le' : 'PrivateB_le');
  const passkey = v.inputs.passkey as number | undefined;
  const rounds = (v.inputs.rounds ?? []) as Record<string, string>[];
  const keySize = Math.min(preq[4]!, pres[4]!);
  const pkax = pka.subarray(0, 32);
  const pkbx = pkb.subarray(0, 32);
  return () => {
    const out: Record<string, string> = {};
    out[weAreA ? 'PKa' : 'PKb'] = toHex(tb.derivePublicKey(privateKey));
    const dhkey = tb.dhKey(privateKey, weAreA ? pkb : pka);
    out.DHKey = toHex(dhkey);
    let na: Uint8Array;
    let nb: Uint8Array;
    const r = new Uint8Array(16);
    if (passkey === undefined) {
      na = inRaw(v, 'Na_wire');
      nb = inRaw(v, 'Nb_wire');
      out.Cb_wire = toHex(tb.f4(pkbx, pkax, nb, 0));
      if (v.expected.numeric_comparison_value !== undefined) {
        out.numeric_comparison_value = String(tb.g2Display(pkax, pkbx, na, nb));
      }
    } else {
      new DataView(r.buffer).setUint32(0, passkey, true);
      rounds.forEach((round, i) => {
        const z = 0x80 | ((passkey >> i) & 1);
        out[`round${i}.Z`] = z.toString(16);
        out[`round${i}.Cai_wire`] = toHex(tb.f4(pkax, pkbx, fromHex(round.Nai_wire!), z));
        out[`round${i}.Cbi_wire`] = toHex(tb.f4(pkbx, pkax, fromHex(round.Nbi_wire!), z));
      });
      na = fromHex(rounds[19]!.Nai_wire!);
      nb = fromHex(rounds[19]!.Nbi_wire!);
    }
    const { macKey, ltk } = tb.f5(dhkey, na, nb, a1, a2);
    out.MacKey = toHex(macKey);
    out.LTK_le = toHex(maskKey(ltk, keySize));
    out.Ea_wire = toHex(tb.f6(macKey, na, nb, r, preq.subarray(1, 4), a1, a2));
    out.Eb_wire = toHex(tb.f6(macKey, nb, na, r, pres.subarray(1, 4), a2, a1));
    return out;
  };
}

function scExpected(v: StoredVector): Record<string, string> {
  const out: Record<string, string> = {};
  const weAreA = v.inputs.PrivateA_le !== undefined;
  const side = weAreA ? 'PKa' : 'PKb';
  out[side] = field(v.inputs, `${side}_x_wire`, v.id) + field(v.inputs, `${side}_y_wire`, v.id);
  out.DHKey = specToLe(outRaw(v, 'DHKey'));
  const rounds = (v.inputs.rounds ?? []) as Record<string, string>[];
  if (v.inputs.passkey === undefined) {
    out.Cb_wire = outRaw(v, 'Cb_wire');
    if (v.expected.numeric_comparison_value !== undefined) {
      out.numeric_comparison_value = String(number(v.expected, 'numeric_comparison_value', v.id));
    }
  } else {
    if (rounds.length !== 20)
      throw new Error(`vector ${v.id}: a passkey transcript has 20 rounds, got ${rounds.length}`);
    rounds.forEach((round, i) => {
      out[`round${i}.Z`] = round.Z!;
      out[`round${i}.Cai_wire`] = round.Cai_wire!;
      out[`round${i}.Cbi_wire`] = round.Cbi_wire!;
    });
  }
  out.MacKey = specToLe(outRaw(v, 'MacKey'));
  out.LTK_le = outRaw(v, 'LTK_le');
  out.Ea_wire = outRaw(v, 'Ea_wire');
  out.Eb_wire = outRaw(v, 'Eb_wire');
  return out;
}

/** Every group of the vector file, in the order the table prints them. */
export const VECTOR_GROUPS: readonly VectorGroup[] = Object.freeze([
  single(
    'e',
    'e (AES-128)',
    (v, tb) => ({ encryptedData: toHex(tb.e(inLe(v, 'key'), inLe(v, 'plaintext'))) }),
    (v) => ({ encryptedData: outLe(v, 'encryptedData') }),
    (v, tb) => {
      const [key, plaintext] = [inLe(v, 'key'), inLe(v, 'plaintext')];
      return () => tb.e(key, plaintext);
    },
  ),
  single(
    'aes_cmac',
    'AES-CMAC',
    (v, tb) => {
      // The group has only RFC 4493's octet order: feed the toolbox the wire-order (reversed) strings.
      const [key, message] = [reverse(inRaw(v, 'K')), reverse(inRaw(v, 'M'))];
      const out: Record<string, string> = { MAC_le: toHex(tb.aesCmac(key, message)) };
      if (v.expected.L !== undefined) out.L_le = toHex(tb.e(key, new Uint8Array(16)));
      return out;
    },
    (v) => {
      const out: Record<string, string> = { MAC_le: specToLe(outRaw(v, 'MAC')) };
      if (v.expected.L !== undefined) out.L_le = specToLe(outRaw(v, 'L'));
      return out;
    },
    (v, tb) => {
      const [key, message] = [reverse(inRaw(v, 'K')), reverse(inRaw(v, 'M'))];
      return () => tb.aesCmac(key, message);
    },
  ),
  single(
    'c1',
    'c1',
    (v, tb) => ({
      c1: toHex(
        tb.c1(
          inLe(v, 'k'),
          inLe(v, 'r'),
          inLe(v, 'preq'),
          inLe(v, 'pres'),
          number(v.inputs_le, 'iat', v.id),
          inLe(v, 'ia'),
          number(v.inputs_le, 'rat', v.id),
          inLe(v, 'ra'),
        ),
      ),
    }),
    (v) => ({ c1: outLe(v, 'c1') }),
    (v, tb) => {
      const args = ['k', 'r', 'preq', 'pres', 'ia', 'ra'].map((name) => inLe(v, name));
      const [k, r, preq, pres, ia, ra] = args as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      const [iat, rat] = [number(v.inputs_le, 'iat', v.id), number(v.inputs_le, 'rat', v.id)];
      return () => tb.c1(k, r, preq, pres, iat, ia, rat, ra);
    },
  ),
  single(
    's1',
    's1',
    (v, tb) => ({ s1: toHex(tb.s1(inLe(v, 'k'), inLe(v, 'r1'), inLe(v, 'r2'))) }),
    (v) => ({ s1: outLe(v, 's1') }),
    (v, tb) => {
      const [k, r1, r2] = [inLe(v, 'k'), inLe(v, 'r1'), inLe(v, 'r2')];
      return () => tb.s1(k, r1, r2);
    },
  ),
  single(
    'ah',
    'ah',
    (v, tb) => ({ ah: toHex(tb.ah(inLe(v, 'k'), inLe(v, 'r'))) }),
    (v) => ({ ah: outLe(v, 'ah') }),
    (v, tb) => {
      const [k, r] = [inLe(v, 'k'), inLe(v, 'r')];
      return () => tb.ah(k, r);
    },
  ),
  single(
    'f4',
    'f4',
    (v, tb) => ({
      f4: toHex(tb.f4(inLe(v, 'U'), inLe(v, 'V'), inLe(v, 'X'), inLe(v, 'Z')[0]!)),
    }),
    (v) => ({ f4: outLe(v, 'f4') }),
    (v, tb) => {
      const [u, vv, x, z] = [inLe(v, 'U'), inLe(v, 'V'), inLe(v, 'X'), inLe(v, 'Z')[0]!];
      return () => tb.f4(u, vv, x, z);
    },
  ),
  single(
    'f5',
    'f5',
    (v, tb) => {
      const { macKey, ltk } = tb.f5(inLe(v, 'W'), inLe(v, 'N1'), inLe(v, 'N2'), inLe(v, 'A1'), inLe(v, 'A2'));
      return { MacKey: toHex(macKey), LTK: toHex(ltk) };
    },
    (v) => ({ MacKey: outLe(v, 'MacKey'), LTK: outLe(v, 'LTK') }),
    (v, tb) => {
      const [w, n1, n2, a1, a2] = ['W', 'N1', 'N2', 'A1', 'A2'].map((name) => inLe(v, name)) as Uint8Array[];
      return () => tb.f5(w!, n1!, n2!, a1!, a2!);
    },
  ),
  single(
    'f6',
    'f6',
    (v, tb) => {
      const [w, n1, n2, r, io, a1, a2] = ['W', 'N1', 'N2', 'R', 'IOcap', 'A1', 'A2'].map((n) => inLe(v, n));
      return { f6: toHex(tb.f6(w!, n1!, n2!, r!, io!, a1!, a2!)) };
    },
    (v) => ({ f6: outLe(v, 'f6') }),
    (v, tb) => {
      const [w, n1, n2, r, io, a1, a2] = ['W', 'N1', 'N2', 'R', 'IOcap', 'A1', 'A2'].map((n) => inLe(v, n));
      return () => tb.f6(w!, n1!, n2!, r!, io!, a1!, a2!);
    },
  ),
  single(
    'g2',
    'g2',
    (v, tb) => {
      const [u, vv, x, y] = ['U', 'V', 'X', 'Y'].map((n) => inLe(v, n)) as Uint8Array[];
      return {
        g2_uint32: String(tb.g2(u!, vv!, x!, y!)),
        numeric_comparison_value: String(tb.g2Display(u!, vv!, x!, y!)),
      };
    },
    (v) => ({
      g2_uint32: String(number(v.expected, 'g2_uint32', v.id)),
      numeric_comparison_value: String(number(v.expected, 'numeric_comparison_value', v.id)),
    }),
    (v, tb) => {
      const [u, vv, x, y] = ['U', 'V', 'X', 'Y'].map((n) => inLe(v, n)) as Uint8Array[];
      return () => tb.g2(u!, vv!, x!, y!);
    },
  ),
  single(
    'h6',
    'h6',
    (v, tb) => ({ h6: toHex(tb.h6(inLe(v, 'W'), inLe(v, 'keyID'))) }),
    (v) => ({ h6: outLe(v, 'h6') }),
    (v, tb) => {
      const [w, keyID] = [inLe(v, 'W'), inLe(v, 'keyID')];
      return () => tb.h6(w, keyID);
    },
  ),
  single(
    'h7',
    'h7',
    (v, tb) => ({ h7: toHex(tb.h7(inLe(v, 'SALT'), inLe(v, 'W'))) }),
    (v) => ({ h7: outLe(v, 'h7') }),
    (v, tb) => {
      const [salt, w] = [inLe(v, 'SALT'), inLe(v, 'W')];
      return () => tb.h7(salt, w);
    },
  ),
  single(
    'h8',
    'h8',
    (v, tb) => ({
      IK: toHex(tb.aesCmac(inLe(v, 'S'), inLe(v, 'K'))),
      h8: toHex(tb.h8(inLe(v, 'K'), inLe(v, 'S'), inLe(v, 'keyID'))),
    }),
    (v) => ({ IK: outLe(v, 'IK'), h8: outLe(v, 'h8') }),
    (v, tb) => {
      const [k, s, keyID] = [inLe(v, 'K'), inLe(v, 'S'), inLe(v, 'keyID')];
      return () => tb.h8(k, s, keyID);
    },
  ),
  single(
    'ctkd',
    'CTKD (h6/h7)',
    (v, tb) => {
      const ct2 = number(v.inputs_le, 'CT2', v.id);
      return v.direction === 'ltk_to_link_key'
        ? { LinkKey: toHex(tb.ltkToLinkKey(inLe(v, 'LTK'), ct2)) }
        : { LTK: toHex(tb.linkKeyToLtk(inLe(v, 'LinkKey'), ct2)) };
    },
    (v) => (v.direction === 'ltk_to_link_key' ? { LinkKey: outLe(v, 'LinkKey') } : { LTK: outLe(v, 'LTK') }),
    (v, tb) => {
      const ct2 = number(v.inputs_le, 'CT2', v.id);
      if (v.direction === 'ltk_to_link_key') {
        const ltk = inLe(v, 'LTK');
        return () => tb.ltkToLinkKey(ltk, ct2);
      }
      const linkKey = inLe(v, 'LinkKey');
      return () => tb.linkKeyToLtk(linkKey, ct2);
    },
  ),
  single(
    'att_signing',
    'ATT signing',
    (v, tb) => ({
      signature_wire: toHex(
        tb.attSignature(inLe(v, 'CSRK'), inRaw(v, 'message_wire'), number(v.inputs, 'SignCounter', v.id)),
      ),
    }),
    (v) => ({ signature_wire: outRaw(v, 'signature_wire') }),
    (v, tb) => {
      const [csrk, message, counter] = [
        inLe(v, 'CSRK'),
        inRaw(v, 'message_wire'),
        number(v.inputs, 'SignCounter', v.id),
      ];
      return () => tb.attSignature(csrk, message, counter);
    },
  ),
  single(
    'debug_key',
    'P-256 debug key',
    (v, tb) => ({
      public: toHex(tb.derivePublicKey(inLe(v, 'private'))),
      constants: toHex(DEBUG_PRIVATE_KEY) + toHex(DEBUG_PUBLIC_KEY),
    }),
    (v) => {
      const pub = outLe(v, 'public_x') + outLe(v, 'public_y');
      return { public: pub, constants: field(v.inputs_le, 'private', v.id) + pub };
    },
    (v, tb) => {
      const key = inLe(v, 'private');
      // A fresh array each time: a backend may cache per key array, and this should time the real work.
      return () => tb.derivePublicKey(key.slice());
    },
  ),
  single(
    'p256_ecdh',
    'P-256 ECDH',
    (v, tb) => {
      const pub = (side: string) =>
        Uint8Array.from([...inLe(v, `Public${side}_x`), ...inLe(v, `Public${side}_y`)]);
      const out: Record<string, string> = { DHKey_AB: toHex(tb.dhKey(inLe(v, 'PrivateA'), pub('B'))) };
      if (v.inputs.PrivateB !== undefined) {
        out.DHKey_BA = toHex(tb.dhKey(inLe(v, 'PrivateB'), pub('A')));
        out.PublicA = toHex(tb.derivePublicKey(inLe(v, 'PrivateA')));
        out.PublicB = toHex(tb.derivePublicKey(inLe(v, 'PrivateB')));
      }
      return out;
    },
    (v) => {
      const out: Record<string, string> = { DHKey_AB: outLe(v, 'DHKey') };
      if (v.inputs.PrivateB !== undefined) {
        out.DHKey_BA = outLe(v, 'DHKey');
        out.PublicA = field(v.inputs_le, 'PublicA_x', v.id) + field(v.inputs_le, 'PublicA_y', v.id);
        out.PublicB = field(v.inputs_le, 'PublicB_x', v.id) + field(v.inputs_le, 'PublicB_y', v.id);
      }
      return out;
    },
    (v, tb) => {
      const key = inLe(v, 'PrivateA');
      const pub = Uint8Array.from([...inLe(v, 'PublicB_x'), ...inLe(v, 'PublicB_y')]);
      return () => tb.dhKey(key, pub);
    },
  ),
  {
    group: 'legacy_pairing_transcripts',
    label: 'legacy pairing (c1, s1)',
    check: (v, tb) => [
      legacyTranscript(v, tb)(),
      {
        Mconfirm_wire: outRaw(v, 'Mconfirm_wire'),
        Sconfirm_wire: outRaw(v, 'Sconfirm_wire'),
        STK_le: outRaw(v, 'STK_le'),
      },
    ],
    operation: legacyTranscript,
  },
  {
    group: 'sc_pairing_transcripts',
    label: 'SC pairing (P-256, f4-f6, g2)',
    check: (v, tb) => [scTranscript(v, tb)(), scExpected(v)],
    operation: scTranscript,
  },
]);

/**
 * Runs every vector of `data` with the toolbox `tb`.
 * @example
 * ```ts
 * const results = runVectors(loadVectorFile(), toolbox(nodeBackend));
 * results.every((r) => r.passed); // true
 * ```
 */
export function runVectors(data: VectorFile, tb: Toolbox): VectorResult[] {
  const results: VectorResult[] = [];
  for (const group of VECTOR_GROUPS) {
    for (const vector of data[group.group] ?? []) {
      let actual: Record<string, string>;
      let expected: Record<string, string>;
      try {
        [actual, expected] = group.check(vector, tb);
      } catch (error) {
        actual = { error: error instanceof Error ? error.message : String(error) };
        expected = {};
      }
      const passed =
        Object.keys(expected).length > 0 &&
        Object.keys(expected).length === Object.keys(actual).length &&
        Object.entries(expected).every(([name, value]) => actual[name] === value);
      results.push({ group: group.group, id: vector.id, actual, expected, passed });
    }
  }
  return results;
}
