/**
 * Decrypting a sniffer capture, as crackle does: every encryption start on a
 * connection (LL_ENC_REQ, LL_ENC_RSP, then ciphertext after LL_START_ENC_REQ)
 * is tried with the keys known — STKs recovered by the audit, LTKs given or
 * from a bond store, and the LTKs the capture's own decrypted key
 * distribution carried — and the MIC of its first encrypted PDU tells which
 * key (if any) started it. Its PDUs then come out as plaintext, the MIC
 * removed and the length fixed, with a CRC recomputed from the
 * CONNECT_IND's CRCInit. An encryption pause (LL_PAUSE_ENC_REQ/RSP) and a
 * new LL_ENC_REQ start a new session, tried again (Vol 6 Part B 5.1.3.2).
 * @module
 */
import { defaultBackend } from '../crypto/default-backend.js';
import { type Toolbox, toolbox } from '../crypto/toolbox.js';
import { ADVERTISING_CRC_INIT, leCrc } from './le-crc.js';
import { type DecryptedPdu, type EncryptionMaterial, LinkCipher } from './ll-cipher.js';
import { ADVERTISING_ACCESS_ADDRESS, LinkLayerDecoder } from './ll-decoder.js';
import type { LinkLayerPacket } from './ll-pcap-writer.js';
import type { LinkLayerRecord, TraceRecord } from './model.js';

/** A key to try on the captured encryption starts. */
export interface CandidateKey {
  /** The STK or LTK, 16 octets, wire order. */
  readonly key: Uint8Array;
  /** The EDIV and Rand it goes with (legacy LTKs), to try it first where LL_ENC_REQ carries them. */
  readonly ediv?: number;
  readonly rand?: Uint8Array;
  /** Where the key came from, for the report (`the STK of pairing 1`, `--ltk 2`). */
  readonly source: string;
}

/** How the decryption is done. */
export interface DecryptCaptureOptions {
  /** Keys to try, in this order after those whose EDIV and Rand match. */
  readonly keys?: readonly CandidateKey[];
  /** The crypto toolbox (default: the default backend's). */
  readonly crypto?: Toolbox;
}

/** One encryption start on a connection, and what became of its PDUs. */
export interface EncryptionSession {
  /** The connection: `access address 0x...`. */
  readonly link: string;
  /** The frame of LL_ENC_REQ (or of the first encrypted PDU when it was missed). */
  readonly at: number;
  readonly ediv?: number;
  readonly rand?: Uint8Array;
  /** The key that authenticated the first encrypted PDU, and where it came from; absent when none did. */
  key?: CandidateKey;
  /** Encrypted PDUs in the session (retransmissions counted once each time they were captured). */
  encrypted: number;
  decrypted: number;
  /** PDUs that failed the MIC under the session's key. */
  micFailures: number;
  /** Of those, PDUs whose captured CRC is wrong too: received with bit errors, not sent so. */
  badCrc: number;
  /** Why nothing was decrypted, when nothing was. */
  note?: string;
}

/** An LTK the capture's decrypted key distribution carried (Encryption Information, with its Central Identification). */
export interface DistributedLtk {
  readonly ltk: Uint8Array;
  readonly at: number;
  readonly sender: 'central' | 'peripheral';
  ediv?: number;
  rand?: Uint8Array;
}

/** The decrypted capture. */
export interface DecryptedCapture {
  /** Every link-layer packet, in order, the encrypted ones decrypted where a key was known. */
  readonly packets: LinkLayerPacket[];
  readonly sessions: EncryptionSession[];
  readonly distributed: DistributedLtk[];
  /** Totals over the sessions. */
  readonly decrypted: number;
  readonly micFailures: number;
  /** Encrypted PDUs of sessions whose key was not found. */
  readonly undecrypted: number;
}

/** LL control opcodes (Vol 6 Part B 2.4.2) that change the encryption state. */
const Op = Object.freeze({ EncReq: 0x03, EncRsp: 0x04, StartEncReq: 0x05, PauseEncRsp: 0x0b } as const);

interface LinkState {
  readonly link: string;
  crcInit?: number;
  encrypted: boolean;
  request?: { at: number; ediv: number; rand: Uint8Array; skdm: Uint8Array; ivm: Uint8Array };
  response?: { skds: Uint8Array; ivs: Uint8Array };
  /** The current session: its cipher once the key is known, null once no key fitted. */
  cipher?: LinkCipher | null;
  session?: EncryptionSession;
  /** Encrypted PDUs of the session tried with every key, none fitting (one received with bit errors fails them all). */
  tries?: number;
}

/** Encrypted PDUs of a session tried with every key before it is left encrypted. */
const KEY_TRIES = 4;

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** The RF channel of a channel index (Vol 6 Part B 1.4.1): the nRF Sniffer records indices. */
const rfChannel = (index: number) =>
  index === 37 ? 0 : index === 38 ? 12 : index === 39 ? 39 : index <= 10 ? index + 1 : index + 2;

/**
 * Decrypts the link-layer packets of a capture (HCI records are skipped)
 * with the keys given and those the capture distributes.
 * @example
 * ```ts
 * const { packets, decrypted } = decryptCapture(readTrace(bytes).records, {
 *   keys: [{ key: ltk, source: '--ltk 1' }],
 * });
 * writeFileSync('out.pcap', linkLayerPcap(packets));
 * ```
 */
export function decryptCapture(
  records: Iterable<TraceRecord>,
  options: DecryptCaptureOptions = {},
): DecryptedCapture {
  const crypto = options.crypto ?? toolbox(defaultBackend());
  const given = options.keys ?? [];
  const links = new Map<number, LinkState>();
  const generations = new Map<number, number>();
  const packets: LinkLayerPacket[] = [];
  const sessions: EncryptionSession[] = [];
  const distributed: DistributedLtk[] = [];

  /** The keys to try on a session: EDIV and Rand matches first, then the given ones, then those distributed. */
  const candidates = (state: LinkState): CandidateKey[] => {
    const fromCapture = distributed.map(
      (d, i): CandidateKey => ({
        key: d.ltk,
        ...(d.ediv === undefined ? {} : { ediv: d.ediv }),
        ...(d.rand ? { rand: d.rand } : {}),
        source: `the LTK distributed at frame ${d.at} (${distributed.length > 1 ? `#${i + 1}, ` : ''}by the ${d.sender})`,
      }),
    );
    const all = [...given, ...fromCapture];
    const request = state.request;
    const matches = (k: CandidateKey) =>
      request !== undefined && k.ediv === request.ediv && sameBytes(k.rand, request.rand);
    return [...all.filter(matches), ...all.filter((k) => !matches(k))];
  };

  for (const record of records) {
    if (record.kind !== 'll') continue;
    packets.push(packet(record));
  }
  const decrypted = sessions.reduce((n, s) => n + s.decrypted, 0);
  const micFailures = sessions.reduce((n, s) => n + s.micFailures, 0);
  const undecrypted = sessions.reduce((n, s) => n + (s.key ? 0 : s.encrypted), 0);
  return { packets, sessions, distributed, decrypted, micFailures, undecrypted };

  function packet(record: LinkLayerRecord): LinkLayerPacket {
    const { pdu } = record;
    const base = {
      ...(record.time === undefined ? {} : { time: record.time }),
      ...(record.channel === undefined
        ? {}
        : { rfChannel: 'nordic' in record ? rfChannel(record.channel) : record.channel }),
      accessAddress: record.accessAddress,
      ...(record.sender ? { sender: record.sender } : {}),
    };
    const checked = (crcInit: number | undefined): LinkLayerPacket => {
      if (record.crc) {
        return {
          ...base,
          pdu,
          crc: record.crc,
          ...(crcInit === undefined ? {} : { crcValid: sameBytes(leCrc(pdu, crcInit), record.crc) }),
        };
      }
      return { ...base, pdu, ...(crcInit === undefined ? {} : { crc: leCrc(pdu, crcInit) }) };
    };
    if (record.accessAddress === ADVERTISING_ACCESS_ADDRESS) {
      if (pdu.length >= 21 && (pdu[0]! & 0x0f) === 0x05) {
        // CONNECT_IND: InitA (6), AdvA (6), LLData: AA (4), CRCInit (3), ...
        const accessAddress = (pdu[14]! | (pdu[15]! << 8) | (pdu[16]! << 16) | (pdu[17]! << 24)) >>> 0;
        const generation = (generations.get(accessAddress) ?? 0) + 1;
        generations.set(accessAddress, generation);
        links.set(accessAddress, {
          link: `access address ${hex32(accessAddress)}${generation > 1 ? ` #${generation}` : ''}`,
          crcInit: pdu[18]! | (pdu[19]! << 8) | (pdu[20]! << 16),
          encrypted: false,
        });
      }
      return checked(ADVERTISING_CRC_INIT);
    }
    let state = links.get(record.accessAddress);
    if (!state) {
      state = { link: `access address ${hex32(record.accessAddress)}`, encrypted: false };
      links.set(record.accessAddress, state);
    }
    if (pdu.length < 2 || pdu[1] === 0 || pdu.length < 2 + pdu[1]!) return checked(state.crcInit);
    const header = pdu[0]!;
    const payload = pdu.subarray(2, 2 + pdu[1]!);
    if (!(record.ciphertext ?? state.encrypted)) {
      plaintext(state, record, header, payload, record.sender);
      return checked(state.crcInit);
    }
    const session = state.session ?? openSession(state, record.at);
    session.encrypted += 1;
    let result: DecryptedPdu | undefined;
    if (state.cipher === undefined) {
      const { request, response } = state;
      if (!request || !response) {
        state.cipher = null;
        session.note = 'the capture lacks LL_ENC_REQ or LL_ENC_RSP: no session key';
      } else {
        const material: EncryptionMaterial = { ...request, ...response };
        const keys = candidates(state);
        const found = LinkCipher.find(crypto, keys, material, header, payload, record.sender);
        if (found) state.cipher = found.cipher;
        if (found) {
          session.key = found.candidate;
          result = found.first;
          delete session.note;
        } else {
          state.tries = (state.tries ?? 0) + 1;
          const first =
            state.tries === 1
              ? `the first encrypted PDU (frame ${record.at})`
              : `the first ${state.tries} encrypted PDUs`;
          session.note = keys.length
            ? `the MIC of ${first} fails under each of the ${keys.length} keys tried`
            : 'no key to try (no STK recovered, no LTK given or distributed)';
          // Another PDU may have been received intact: try a few before giving up.
          if (keys.length && state.tries < KEY_TRIES) return checked(state.crcInit);
          state.cipher = null;
        }
      }
    } else if (state.cipher) {
      result = state.cipher.decrypt(header, payload, record.sender);
    }
    if (!state.cipher) return checked(state.crcInit);
    if (!result) {
      session.micFailures += 1;
      const packet = checked(state.crcInit);
      if (packet.crcValid === false) session.badCrc += 1;
      return { ...packet, micFailed: true };
    }
    session.decrypted += 1;
    plaintext(state, record, header, result.plain, result.sender);
    const out = Uint8Array.of(header, result.plain.length, ...result.plain);
    return {
      ...base,
      sender: result.sender,
      pdu: out,
      ...(state.crcInit === undefined ? {} : { crc: leCrc(out, state.crcInit), crcValid: true }),
      decrypted: true,
    };
  }

  function openSession(state: LinkState, at: number): EncryptionSession {
    const request = state.request;
    const session: EncryptionSession = {
      link: state.link,
      at: request?.at ?? at,
      ...(request ? { ediv: request.ediv, rand: request.rand } : {}),
      encrypted: 0,
      decrypted: 0,
      micFailures: 0,
      badCrc: 0,
    };
    state.session = session;
    sessions.push(session);
    return session;
  }

  /** What a plaintext (or decrypted) data PDU changes: encryption state, and keys distributed. */
  function plaintext(
    state: LinkState,
    record: LinkLayerRecord,
    header: number,
    payload: Uint8Array,
    sender: 'central' | 'peripheral' | undefined,
  ): void {
    if ((header & 0x03) === 0x03) {
      switch (payload[0]) {
        case Op.EncReq:
          if (payload.length < 23) return;
          state.request = {
            at: record.at,
            rand: payload.slice(1, 9),
            ediv: le16(payload, 9),
            skdm: payload.slice(11, 19),
            ivm: payload.slice(19, 23),
          };
          delete state.response;
          delete state.cipher;
          delete state.session;
          delete state.tries;
          return;
        case Op.EncRsp:
          if (payload.length < 13) return;
          state.response = { skds: payload.slice(1, 9), ivs: payload.slice(9, 13) };
          return;
        case Op.StartEncReq:
          state.encrypted = true;
          return;
        case Op.PauseEncRsp:
          // The peripheral's (encrypted) LL_PAUSE_ENC_RSP ends encryption; the central answers in the clear.
          state.encrypted = false;
          return;
        default:
          return;
      }
    }
    for (const event of LinkLayerDecoder.plaintext(state.link, header, payload, record.at)) {
      if (event.type !== 'smp' || !event.decoded.ok) continue;
      const pdu = event.decoded.pdu;
      if (pdu.type === 'encryption-information') {
        distributed.push({ ltk: pdu.ltk, at: record.at, sender: sender ?? 'central' });
      } else if (pdu.type === 'central-identification') {
        const last = distributed.findLast((d) => d.ediv === undefined && d.sender === (sender ?? 'central'));
        if (last) {
          last.ediv = pdu.ediv;
          last.rand = pdu.rand;
        }
      }
    }
  }
}
