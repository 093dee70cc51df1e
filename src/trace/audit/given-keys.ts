/**
 * LTKs given to the auditor (`ble-smp audit --ltk`, `--bonds`): the
 * encryption they start is told by the MIC of the first encrypted PDUs
 * (Core Vol 6 Part E 1, 2). A Secure Connections pairing's key distribution
 * is then decrypted and audited; encryption on a connection with no pairing
 * in the capture is said to be started by the given key.
 * @module
 */
import type { Toolbox } from '../../crypto/toolbox.js';
import type {
  EncryptedPduEvent,
  EncryptionResponseEvent,
  EncryptionStartEvent,
  TraceEvent,
} from '../events.js';
import { LinkCipher } from '../ll-cipher.js';

/** Encrypted PDUs kept per encryption start: enough for the first one the sniffer caught. */
const KEPT = 4;

/** One given key found to start an encryption. */
export interface GivenKeyMatch {
  /** Its place in the keys given, from 0. */
  readonly index: number;
  readonly ltk: Uint8Array;
  /** The encrypted PDU that authenticates under it. */
  readonly at: number;
}

/**
 * The given LTK under which an encrypted PDU after `start` authenticates
 * (the first of `encrypted` that any key decrypts).
 * @example
 * ```ts
 * const match = findGivenKey(crypto, ltks, start, response, encrypted);
 * if (match) console.log(`LTK #${match.index + 1} started encryption`);
 * ```
 */
export function findGivenKey(
  crypto: Toolbox,
  ltks: readonly Uint8Array[],
  start: EncryptionStartEvent,
  response: EncryptionResponseEvent | undefined,
  encrypted: readonly EncryptedPduEvent[],
): GivenKeyMatch | undefined {
  if (!ltks.length || !response || !start.skdm || !start.ivm) return undefined;
  const material = { skdm: start.skdm, ivm: start.ivm, skds: response.skds, ivs: response.ivs };
  const keys = ltks.map((key, index) => ({ key, index }));
  for (const pdu of encrypted.slice(0, KEPT)) {
    const found = LinkCipher.find(crypto, keys, material, pdu.header, pdu.payload);
    if (found) return { index: found.candidate.index, ltk: found.candidate.key, at: pdu.at };
  }
  return undefined;
}

interface Started {
  readonly start: EncryptionStartEvent;
  response?: EncryptionResponseEvent;
  readonly encrypted: EncryptedPduEvent[];
}

/** Keeps, per link-layer encryption start, what checking a given key against it takes. */
export class GivenKeys {
  readonly #ltks: readonly Uint8Array[];
  readonly #crypto: Toolbox;
  /** By link: its encryption starts, the latest last. */
  readonly #links = new Map<string, Started[]>();

  /**
   * The keys (wire order) and the toolbox to check them with.
   * @example
   * ```ts
   * const given = new GivenKeys([ltk], crypto);
   * ```
   */
  constructor(ltks: readonly Uint8Array[], crypto: Toolbox) {
    this.#ltks = ltks;
    this.#crypto = crypto;
  }

  /**
   * Takes the next decoded event (only link-layer encryption matters).
   * @example
   * ```ts
   * for (const event of decoder.push(record)) given.push(event);
   * ```
   */
  push(event: TraceEvent): void {
    if (!this.#ltks.length) return;
    if (event.type === 'encryption-start' && event.source === 'll-enc-req') {
      const starts = this.#links.get(event.link) ?? [];
      starts.push({ start: event, encrypted: [] });
      this.#links.set(event.link, starts);
      return;
    }
    const current = this.#links.get(event.link)?.at(-1);
    if (!current) return;
    if (event.type === 'encryption-response' && !current.response) current.response = event;
    else if (event.type === 'encrypted-pdu' && current.encrypted.length < KEPT) current.encrypted.push(event);
  }

  /**
   * The given key that started the encryption at `start`, if any.
   * @example
   * ```ts
   * const match = given.started(start);
   * ```
   */
  started(start: EncryptionStartEvent): GivenKeyMatch | undefined {
    const entry = this.#links.get(start.link)?.find((s) => s.start === start);
    if (!entry) return undefined;
    return findGivenKey(this.#crypto, this.#ltks, entry.start, entry.response, entry.encrypted);
  }

  /** The keys given (wire order). */
  get ltks(): readonly Uint8Array[] {
    return this.#ltks;
  }
}

/**
 * How the report words a connection's encryption with no pairing in the
 * capture: started by a given key (by the MIC), or not checkable.
 * @example
 * ```ts
 * `encryption started with no pairing in the capture: a key bonded earlier, ${givenKeyText(given, start)}`;
 * ```
 */
export function givenKeyText(given: GivenKeys, start: EncryptionStartEvent): string {
  const match = given.started(start);
  if (match)
    return `the LTK given #${match.index + 1}: the encrypted PDU at frame ${match.at} authenticates under it, so it is the key`;
  return given.ltks.length
    ? `which the capture cannot check (none of the ${given.ltks.length} LTKs given authenticates its encrypted PDUs)`
    : 'which the capture cannot check';
}
