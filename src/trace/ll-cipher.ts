/**
 * One encrypted link-layer session, as a sniffer holding the key sees it:
 * the session key SK = e(key, SKDm || SKDs) and IV = IVm || IVs from
 * LL_ENC_REQ and LL_ENC_RSP (Core Vol 6 Part E 1; Vol 6 Part B 5.1.3), one
 * packet counter per direction, AES-CCM with the 4-octet MIC (Vol 6 Part E
 * 2). The key is the STK or the LTK; which one of several a capture used is
 * told by the MIC of its first encrypted PDU.
 * @module
 */
import type { Toolbox } from '../crypto/toolbox.js';
import { ccmDecrypt, linkNonce } from './audit/ccm.js';

/** What LL_ENC_REQ and LL_ENC_RSP carry for the session key and IV, in wire order. */
export interface EncryptionMaterial {
  readonly skdm: Uint8Array;
  readonly ivm: Uint8Array;
  readonly skds: Uint8Array;
  readonly ivs: Uint8Array;
}

/** A decrypted PDU: its plaintext payload and its sender (the nonce's direction bit). */
export interface DecryptedPdu {
  readonly plain: Uint8Array;
  readonly sender: 'central' | 'peripheral';
}

/**
 * Packet counters tried ahead of the expected one: PDUs the sniffer missed or
 * received with bit errors (the MIC fails) do not advance it.
 */
const COUNTER_WINDOW = 16;

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * The session key SK = e(key, SKDm || SKDs) in wire order (Vol 6 Part E 1:
 * SKDm is the least significant half).
 * @example
 * ```ts
 * const sk = sessionKey(crypto, stk, { skdm, ivm, skds, ivs });
 * ```
 */
export function sessionKey(crypto: Toolbox, key: Uint8Array, material: EncryptionMaterial): Uint8Array {
  return crypto.e(key, concat(material.skdm, material.skds));
}

/**
 * Decrypts the PDUs of one encrypted session in capture order, following both packet counters.
 * @example
 * ```ts
 * const cipher = new LinkCipher(crypto, stk, { skdm, ivm, skds, ivs });
 * const plain = cipher.decrypt(header, payload); // undefined when the MIC does not authenticate
 * ```
 */
export class LinkCipher {
  /** The session key, wire order. */
  readonly sessionKey: Uint8Array;
  readonly #skSpec: Uint8Array;
  readonly #iv: Uint8Array;
  readonly #counters = { central: 0, peripheral: 0 };
  /** The last PDU decrypted in each direction, by its ciphertext: a sniffer records retransmissions again. */
  readonly #last = new Map<string, DecryptedPdu>();

  /**
   * A session with this key (the STK or LTK, wire order) and the LL_ENC_REQ/RSP values.
   * @example
   * ```ts
   * const cipher = new LinkCipher(crypto, ltk, { skdm, ivm, skds, ivs });
   * ```
   */
  constructor(crypto: Toolbox, key: Uint8Array, material: EncryptionMaterial) {
    this.sessionKey = sessionKey(crypto, key, material);
    this.#skSpec = Uint8Array.from(this.sessionKey).reverse();
    this.#iv = concat(material.ivm, material.ivs);
  }

  /**
   * Decrypts the next encrypted PDU (header octet, payload with its MIC);
   * undefined when the MIC does not authenticate under the expected counter
   * (or the few after it) of either direction, or of `sender`'s when the
   * capture records the sender.
   * @example
   * ```ts
   * const result = cipher.decrypt(pdu[0], pdu.subarray(2));
   * if (result) console.log(result.sender, result.plain);
   * ```
   */
  decrypt(header: number, payload: Uint8Array, sender?: 'central' | 'peripheral'): DecryptedPdu | undefined {
    const id = `${header & 0xe3} ${Buffer.from(payload).toString('hex')}`;
    const again = this.#last.get(id);
    if (again && (sender === undefined || again.sender === sender)) return again;
    for (const direction of sender ? [sender] : (['central', 'peripheral'] as const)) {
      const from = this.#counters[direction];
      for (let counter = from; counter < from + COUNTER_WINDOW; counter++) {
        const plain = ccmDecrypt(
          this.#skSpec,
          linkNonce(counter, direction === 'central', this.#iv),
          header,
          payload,
        );
        if (!plain) continue;
        this.#counters[direction] = counter + 1;
        const result = { plain, sender: direction };
        for (const [key, value] of this.#last) if (value.sender === direction) this.#last.delete(key);
        this.#last.set(id, result);
        return result;
      }
    }
    return undefined;
  }

  /**
   * The first of `keys` under which the session's first encrypted PDU
   * authenticates, with its cipher (that PDU already decrypted); undefined
   * when none does.
   * @example
   * ```ts
   * const found = LinkCipher.find(crypto, [{ key: stk }, { key: ltk }], material, pdu[0], pdu.subarray(2));
   * if (found) console.log('key', found.candidate.key, 'first PDU', found.first.plain);
   * ```
   */
  static find<T extends { readonly key: Uint8Array }>(
    crypto: Toolbox,
    keys: readonly T[],
    material: EncryptionMaterial,
    header: number,
    payload: Uint8Array,
    sender?: 'central' | 'peripheral',
  ): { cipher: LinkCipher; candidate: T; first: DecryptedPdu } | undefined {
    for (const candidate of keys) {
      if (candidate.key.length !== 16) continue;
      const cipher = new LinkCipher(crypto, candidate.key, material);
      const first = cipher.decrypt(header, payload, sender);
      if (first) return { cipher, candidate, first };
    }
    return undefined;
  }
}
