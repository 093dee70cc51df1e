/**
 * The legacy passkey from a sniffer capture that lacks the device addresses
 * (c1 needs them) and shows no key (the air never carries it): each
 * candidate TK gives STK = s1(TK, Srand, Mrand) (Core Vol 3 Part H 2.2.4),
 * the session key SK = e(STK, SKDm || SKDs) (Vol 6 Part E 1), and the first
 * encrypted PDU either authenticates under SK (AES-CCM, Vol 6 Part E 2) or
 * not. When that PDU is LL_START_ENC_RSP (a control PDU of one octet, 0x06:
 * the first the central encrypts, Vol 6 Part B 5.1.3.1), one keystream octet
 * rules out all but 1 in 256 candidates before the MIC is computed.
 * @module
 */

import { encryptBlock, expandKey, wireToWords } from './aes-tables.js';
import { ccmDecrypt, linkNonce } from './ccm.js';
import { MAX_PASSKEY } from './passkey-search.js';

/** What the search needs from the capture, wire order as on the air. */
export interface MicSearchInputs {
  readonly srand: Uint8Array;
  readonly mrand: Uint8Array;
  /** The negotiated key size (7..16): the STK's octets past it are zero (2.3.4). */
  readonly keySize: number;
  /** LL_ENC_REQ's SKDm and IVm, LL_ENC_RSP's SKDs and IVs (8 and 4 octets each). */
  readonly skdm: Uint8Array;
  readonly skds: Uint8Array;
  readonly ivm: Uint8Array;
  readonly ivs: Uint8Array;
  /** The first encrypted data PDU: its header octet, and its payload with the 4-octet MIC. */
  readonly header: number;
  readonly payload: Uint8Array;
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Spec-order words as the 16 octets AES takes. */
const octets = (w: Uint32Array) => {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (w[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  return out;
};

/**
 * Searches passkeys `from`..`to` for the one whose session key authenticates
 * the first encrypted PDU. Returns it (with the STK, wire order) or
 * undefined, and how many candidates it tried.
 * @example
 * ```ts
 * const { passkey, stk } = searchPasskeyByMic({ srand, mrand, keySize: 16, skdm, skds, ivm, ivs, header, payload });
 * ```
 */
export function searchPasskeyByMic(
  inputs: MicSearchInputs,
  from = 0,
  to = MAX_PASSKEY,
): { passkey: number | undefined; stk?: Uint8Array; evaluations: number } {
  // r' = Srand[low 64] || Mrand[low 64] in spec order: in wire order Mrand's low half first.
  const r = wireToWords(concat(inputs.mrand.subarray(0, 8), inputs.srand.subarray(0, 8)));
  const skd = wireToWords(concat(inputs.skdm.subarray(0, 8), inputs.skds.subarray(0, 8)));
  const iv = concat(inputs.ivm.subarray(0, 4), inputs.ivs.subarray(0, 4));
  const size = Math.min(16, Math.max(1, inputs.keySize | 0));
  // The STK's octets past the key size are zero: wire octet i is spec word 3 - (i >> 2), bits 8 * (i & 3).
  const mask = new Uint32Array(4);
  for (let i = 0; i < size; i++) mask[3 - (i >> 2)]! |= (0xff << (8 * (i & 3))) >>> 0;
  const nonces = [true, false].map((toPeripheral) => linkNonce(0, toPeripheral, iv));
  // Keystream block A1 (flags 0x01, nonce, counter 1) for each direction the PDU may have gone.
  const counterBlocks = nonces.map((nonce) => {
    const a = new Uint8Array(16);
    a[0] = 0x01;
    a.set(nonce, 1);
    a[15] = 1;
    return wireToWords(a.slice().reverse());
  });
  const startEncRsp = (inputs.header & 0x03) === 0x03 && inputs.payload.length === 5;
  const expected = startEncRsp ? inputs.payload[0]! ^ 0x06 : undefined;
  const tkSchedule = new Uint32Array(44);
  const stkSchedule = new Uint32Array(44);
  const skSchedule = new Uint32Array(44);
  const stk = new Uint32Array(4);
  const sk = new Uint32Array(4);
  const stream = new Uint32Array(4);
  for (let passkey = from; passkey <= to; passkey++) {
    expandKey(0, 0, 0, passkey, tkSchedule);
    encryptBlock(tkSchedule, r, stk);
    for (let w = 0; w < 4; w++) stk[w] = (stk[w]! & mask[w]!) >>> 0;
    expandKey(stk[0]!, stk[1]!, stk[2]!, stk[3]!, stkSchedule);
    encryptBlock(stkSchedule, skd, sk);
    let candidate = expected === undefined;
    if (!candidate) {
      expandKey(sk[0]!, sk[1]!, sk[2]!, sk[3]!, skSchedule);
      for (const block of counterBlocks) {
        encryptBlock(skSchedule, block, stream);
        // The first keystream octet is the most significant of spec word 0.
        if (stream[0]! >>> 24 === expected) candidate = true;
      }
    }
    if (!candidate) continue;
    const key = octets(sk);
    if (nonces.some((nonce) => ccmDecrypt(key, nonce, inputs.header, inputs.payload))) {
      return { passkey, stk: octets(stk).reverse(), evaluations: passkey - from + 1 };
    }
  }
  return { passkey: undefined, evaluations: to - from + 1 };
}
