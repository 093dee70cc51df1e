/**
 * What the decoder makes of a capture: the events the auditor needs, per
 * connection ("link"), in capture order.
 * @module
 */
import type { DecodeResult } from '../smp/pdu.js';
import type { UnknownValue } from './model.js';

/** A device address as used on the air: 6 octets in wire order, type 0 public or 1 random. */
export interface DeviceAddress {
  readonly address: Uint8Array;
  readonly type: number;
}

/** The captured host (`local`) or its peer over the air (`remote`). */
export type TraceDevice = 'local' | 'remote';

/** Which side sent a PDU, when the capture says so. */
export type LinkRole = 'central' | 'peripheral';

interface Base {
  /** Line or frame number. */
  readonly at: number;
  readonly time?: number;
  /** The connection: `handle 0x0040` (HCI) or `access address 0x8e89bed6` (link layer), with a generation suffix when reused. */
  readonly link: string;
}

/** A connection came up. */
export interface ConnectionEvent extends Base {
  readonly type: 'connection';
  readonly central?: DeviceAddress;
  readonly peripheral?: DeviceAddress;
  /** The role of the host whose HCI was captured (HCI captures only). */
  readonly localRole?: LinkRole;
  /** Set when this completes an earlier connection event (the local address became known later, by Read BD_ADDR). */
  readonly update?: boolean;
}

/** An SMP PDU (L2CAP channel 0x0006), decoded or not. */
export interface SmpEvent extends Base {
  readonly type: 'smp';
  /** Who sent it, when the capture records direction (HCI with direction, decrypted link-layer PDUs). */
  readonly sender?: LinkRole;
  /**
   * Which host sent it, by the HCI direction, even when the roles are not
   * known (no Connection Complete in the capture): the captured host
   * (`local`: `<`, TX) or its peer (`remote`: `>`, RX).
   */
  readonly device?: TraceDevice;
  readonly bytes: Uint8Array;
  readonly decoded: DecodeResult;
  /** Recovered by decrypting link-layer PDUs with a derived key. */
  readonly decrypted?: boolean;
  /** Values the capture hides (redacted btmon text), with their place in `bytes`. */
  readonly unknown?: readonly UnknownValue[];
}

/** Encryption was started or a key was given to the controller (HCI LE Enable Encryption, LTK reply, LL_ENC_REQ). */
export interface EncryptionStartEvent extends Base {
  readonly type: 'encryption-start';
  readonly source: 'le-enable-encryption' | 'ltk-reply' | 'll-enc-req';
  /** The key, when the capture shows it (HCI only, not redacted). */
  readonly ltk?: Uint8Array;
  readonly ediv: number;
  readonly rand: Uint8Array;
  /** Values the capture hides (redacted btmon text): `ediv` and `rand` then hold zeros, `ltk` is left out. */
  readonly unknown?: readonly UnknownValue[];
  /** Link layer only: the central's session key diversifier and IV. */
  readonly skdm?: Uint8Array;
  readonly ivm?: Uint8Array;
}

/** The peripheral's half of the link-layer session key material (LL_ENC_RSP). */
export interface EncryptionResponseEvent extends Base {
  readonly type: 'encryption-response';
  readonly skds: Uint8Array;
  readonly ivs: Uint8Array;
}

/** Encryption on or off (HCI Encryption Change / Key Refresh; LL_START_ENC_REQ marks the switch on air). */
export interface EncryptionChangeEvent extends Base {
  readonly type: 'encryption-change';
  readonly status: number;
  readonly enabled: boolean;
}

/** A link-layer data PDU sent encrypted: header octet and payload with its 4-octet MIC. */
export interface EncryptedPduEvent extends Base {
  readonly type: 'encrypted-pdu';
  readonly header: number;
  readonly payload: Uint8Array;
}

/** The connection ended. */
export interface DisconnectionEvent extends Base {
  readonly type: 'disconnection';
  readonly reason: number;
}

/** Every event of the decoded capture. */
export type TraceEvent =
  | ConnectionEvent
  | SmpEvent
  | EncryptionStartEvent
  | EncryptionResponseEvent
  | EncryptionChangeEvent
  | EncryptedPduEvent
  | DisconnectionEvent;
