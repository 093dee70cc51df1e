/**
 * Link-layer packets (sniffer captures) to trace events: CONNECT_IND gives a
 * connection its access address and both addresses; data PDUs carry L2CAP
 * (reassembled across LLID 2/1 fragments) and LL control PDUs; after
 * LL_START_ENC_REQ the PDUs are encrypted and are passed on as such, unless
 * the capture flags each packet (nRF Sniffer: plaintext, or decrypted by the
 * sniffer); SMP PDUs carry the sender the capture records.
 * Core Vol 6 Part B 2.3 (advertising PDUs), 2.4 (data PDUs), 2.4.2 (control).
 * @module
 */
import { FixedChannel } from '../hci/l2cap.js';
import { decodePdu } from '../smp/pdu.js';
import type { TraceEvent } from './events.js';
import type { LinkLayerRecord } from './model.js';

/** The advertising physical channel's access address (Vol 6 Part B 2.1.2). */
export const ADVERTISING_ACCESS_ADDRESS = 0x8e89bed6;

/** Advertising PDU types (2.3, Table 2.3) the decoder reads. */
const AdvertisingPdu = Object.freeze({ ConnectInd: 0x05 } as const);
/** LLID values (2.4, Table 2.13). */
const Llid = Object.freeze({ Continuation: 0x01, Start: 0x02, Control: 0x03 } as const);
/** LL control opcodes (2.4.2, Table 2.18) the decoder reads. */
const LlControl = Object.freeze({
  TerminateInd: 0x02,
  EncReq: 0x03,
  EncRsp: 0x04,
  StartEncReq: 0x05,
  PauseEncRsp: 0x0b,
} as const);

interface LinkState {
  readonly link: string;
  encrypted: boolean;
  /** The last two data PDUs seen (one per direction, roughly): a sniffer records a retransmission (same SN, same octets) again. */
  recent: Uint8Array[];
  /** L2CAP frame being reassembled: header and payload so far. */
  partial: Uint8Array | undefined;
  expected: number;
}

/** Same LLID, SN and octets (NESN and MD may differ on a retransmission). */
function retransmission(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || (a[0]! & 0x0b) !== (b[0]! & 0x0b) || a.length <= 2) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);

/** Where a data PDU was captured, and who sent it when the capture says so. */
interface Base {
  at: number;
  time?: number;
  sender?: 'central' | 'peripheral';
}

/** The SMP event of a whole L2CAP frame, if it is on the SMP channel. */
function smpFrame(link: string, frame: Uint8Array, base: Base): TraceEvent[] {
  if (frame.length < 4 || le16(frame, 2) !== FixedChannel.Smp) return [];
  const bytes = frame.slice(4);
  return [{ type: 'smp', ...base, link, bytes, decoded: decodePdu(bytes) }];
}

/** Decodes the link-layer packets of one capture, in order. */
export class LinkLayerDecoder {
  readonly #links = new Map<number, LinkState>();
  readonly #generation = new Map<number, number>();

  /** The events one link-layer packet yields. */
  push(record: LinkLayerRecord): TraceEvent[] {
    const { pdu } = record;
    const base = { at: record.at, ...(record.time === undefined ? {} : { time: record.time }) };
    if (pdu.length < 2) return [];
    if (record.accessAddress === ADVERTISING_ACCESS_ADDRESS) {
      if ((pdu[0]! & 0x0f) !== AdvertisingPdu.ConnectInd || pdu.length < 2 + 16) return [];
      // CONNECT_IND: InitA (6), AdvA (6), LLData: AA (4), ... TxAdd = InitA type, RxAdd = AdvA type.
      const accessAddress = (pdu[14]! | (pdu[15]! << 8) | (pdu[16]! << 16) | (pdu[17]! << 24)) >>> 0;
      const generation = (this.#generation.get(accessAddress) ?? 0) + 1;
      this.#generation.set(accessAddress, generation);
      const link = `access address ${hex32(accessAddress)}${generation > 1 ? ` #${generation}` : ''}`;
      this.#links.set(accessAddress, { link, encrypted: false, recent: [], partial: undefined, expected: 0 });
      return [
        {
          type: 'connection',
          ...base,
          link,
          central: { address: pdu.slice(2, 8), type: (pdu[0]! >> 6) & 1 },
          peripheral: { address: pdu.slice(8, 14), type: (pdu[0]! >> 7) & 1 },
        },
      ];
    }
    let state = this.#links.get(record.accessAddress);
    if (!state) {
      // A capture that missed CONNECT_IND: follow the connection anyway, without addresses.
      state = {
        link: `access address ${hex32(record.accessAddress)}`,
        encrypted: false,
        recent: [],
        partial: undefined,
        expected: 0,
      };
      this.#links.set(record.accessAddress, state);
    }
    if (pdu[1] === 0) return [];
    if (state.recent.some((seen) => retransmission(seen, pdu))) return [];
    state.recent = [pdu, ...state.recent.slice(0, 1)];
    const llid = pdu[0]! & 0x03;
    const payload = pdu.subarray(2, 2 + pdu[1]!);
    if (payload.length === 0) return [];
    // A capture that flags each packet (nRF Sniffer) says which are ciphertext, even after LL_START_ENC_REQ.
    if (record.ciphertext ?? state.encrypted) {
      return [{ type: 'encrypted-pdu', ...base, link: state.link, header: pdu[0]!, payload }];
    }
    return this.#plain(state, llid, payload, {
      ...base,
      ...(record.sender ? { sender: record.sender } : {}),
    });
  }

  /**
   * Feeds a decrypted data PDU of `link` (header octet and plaintext payload)
   * through L2CAP reassembly; returns its SMP events. Used by the auditor once
   * it has derived the key.
   */
  static plaintext(link: string, header: number, payload: Uint8Array, at: number): TraceEvent[] {
    const decoder = new LinkLayerDecoder();
    const state: LinkState = { link, encrypted: false, recent: [], partial: undefined, expected: 0 };
    return decoder.#plain(state, header & 0x03, payload, { at });
  }

  #plain(state: LinkState, llid: number, payload: Uint8Array, smpBase: Base): TraceEvent[] {
    const link = state.link;
    const { sender: _, ...base } = smpBase;
    if (llid === Llid.Control) {
      switch (payload[0]) {
        case LlControl.EncReq:
          if (payload.length < 23) return [];
          // Rand (8), EDIV (2), SKDm (8), IVm (4).
          return [
            {
              type: 'encryption-start',
              ...base,
              link,
              source: 'll-enc-req',
              rand: payload.slice(1, 9),
              ediv: le16(payload, 9),
              skdm: payload.slice(11, 19),
              ivm: payload.slice(19, 23),
            },
          ];
        case LlControl.EncRsp:
          if (payload.length < 13) return [];
          return [
            {
              type: 'encryption-response',
              ...base,
              link,
              skds: payload.slice(1, 9),
              ivs: payload.slice(9, 13),
            },
          ];
        case LlControl.StartEncReq:
          state.encrypted = true;
          return [{ type: 'encryption-change', ...base, link, status: 0, enabled: true }];
        case LlControl.TerminateInd:
          return [{ type: 'disconnection', ...base, link, reason: payload[1] ?? 0 }];
        default:
          return [];
      }
    }
    if (llid === Llid.Start && payload.length >= 4 && 4 + le16(payload, 0) === payload.length) {
      // A whole frame in one PDU: the other side's fragmented frame, if any, stays open.
      return smpFrame(link, payload, smpBase);
    }
    if (llid === Llid.Start) {
      state.partial = payload;
      state.expected = payload.length >= 2 ? 4 + le16(payload, 0) : Number.POSITIVE_INFINITY;
    } else if (llid === Llid.Continuation && state.partial) {
      const joined = new Uint8Array(state.partial.length + payload.length);
      joined.set(state.partial);
      joined.set(payload, state.partial.length);
      state.partial = joined;
      if (state.expected === Number.POSITIVE_INFINITY && joined.length >= 2)
        state.expected = 4 + le16(joined, 0);
    } else {
      return [];
    }
    if (state.partial.length < state.expected) return [];
    const frame = state.partial;
    state.partial = undefined;
    if (frame.length !== state.expected) return [];
    return smpFrame(link, frame, smpBase);
  }
}
