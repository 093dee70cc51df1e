/**
 * Editing captures for the judging tests: our own btsnoop captures (the
 * central's HCI) re-written with changed records, legacy pairings re-signed
 * (confirms and STK recomputed after a changed Pairing Request or Response,
 * TK or address, as a stack that really sent them would have), and pcap
 * files taken apart into records and put back together.
 */
import { defaultBackend } from '../../src/crypto/default-backend.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { passkeyTk } from '../../src/trace/audit/passkey-search.js';
import type { HciRecord, PairingAudit } from '../../src/trace/index.js';
import { auditTrace, BtsnoopWriter, readTrace } from '../../src/trace/index.js';

export const crypto = toolbox(defaultBackend());
export { passkeyTk };

/** The SMP code of an ACL record carrying a whole SMP PDU, else undefined. */
export const smpCode = (r: HciRecord) =>
  r.packet.type === 'acl' && r.packet.data[6] === 0x06 && r.packet.data[7] === 0x00
    ? r.packet.data[8]
    : undefined;

/** The HCI command opcode of a record, else undefined. */
export const commandOpcode = (r: HciRecord) =>
  r.packet.type === 'command' ? r.packet.data[0]! | (r.packet.data[1]! << 8) : undefined;

/** HCI LE Enable Encryption (OGF 0x08, OCF 0x0019). */
export const LE_ENABLE_ENCRYPTION = 0x2019;

export const records = (bytes: Uint8Array): HciRecord[] => readTrace(bytes).records as HciRecord[];

/** Re-writes a capture from (possibly changed) records, as btsnoop (datalink 1002). */
export function rewrite(all: readonly HciRecord[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) });
  for (const [i, r] of all.entries()) writer.record(r.direction === 'rx' ? 'rx' : 'tx', r.packet, 1000 + i);
  return Buffer.concat(chunks);
}

/** The record with its packet data changed by `edit` (on a copy). */
export function edited(r: HciRecord, edit: (data: Uint8Array) => void): HciRecord {
  const data = Uint8Array.from(r.packet.data);
  edit(data);
  return { ...r, packet: { ...r.packet, data } };
}

/** Index of the first record with SMP code `code` (sent by `direction`, if given). */
export function smpIndex(all: readonly HciRecord[], code: number, direction?: 'tx' | 'rx'): number {
  return all.findIndex((r) => smpCode(r) === code && (direction === undefined || r.direction === direction));
}

/** Changes the SMP PDU (code first) of the record at `index`. */
export function editSmp(all: HciRecord[], index: number, edit: (pdu: Uint8Array) => void): void {
  all[index] = edited(all[index]!, (data) => edit(data.subarray(8)));
}

/** A key cut to `size` octets as the auditor does for any size (the most significant octets zeroed). */
function masked(key: Uint8Array, size: number): Uint8Array {
  const out = key.slice();
  out.fill(0, Math.max(1, Math.min(16, size)));
  return out;
}

/**
 * Recomputes Mconfirm, Sconfirm and the STK given to LE Enable Encryption
 * of a legacy capture (the central's HCI: TX is the initiator) for `tk`,
 * from its Pairing Request and Response as they now are and the addresses
 * the capture shows.
 */
export function resignLegacy(all: HciRecord[], tk: Uint8Array): void {
  const pairing = auditTrace(rewrite(all)).pairings[0]!;
  const preq = all[smpIndex(all, 0x01)]!.packet.data.subarray(8, 15);
  const pres = all[smpIndex(all, 0x02)]!.packet.data.subarray(8, 15);
  const mrand = all[smpIndex(all, 0x04, 'tx')]!.packet.data.subarray(9, 25);
  const srand = all[smpIndex(all, 0x04, 'rx')]!.packet.data.subarray(9, 25);
  for (const [direction, random] of [
    ['tx', mrand],
    ['rx', srand],
  ] as const) {
    const confirm = confirmFor(tk, random, preq, pres, pairing);
    editSmp(all, smpIndex(all, 0x03, direction), (pdu) => pdu.set(confirm, 1));
  }
  const stk = masked(crypto.s1(tk, srand, mrand), Math.min(preq[4]!, pres[4]!, 16));
  const start = all.findIndex((r) => commandOpcode(r) === LE_ENABLE_ENCRYPTION);
  all[start] = edited(all[start]!, (data) => data.set(stk, 3 + 12));
}

/** A pcap file as its global header and its records (each with its 16-octet record header). */
export interface PcapParts {
  readonly header: Uint8Array;
  readonly records: Uint8Array[];
}

/** Splits a pcap file (either byte order) into records; frame n is `records[n - 1]`. */
export function pcapParts(bytes: Uint8Array): PcapParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  const out: Uint8Array[] = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const length = view.getUint32(at + 8, little);
    out.push(bytes.slice(at, at + 16 + length));
    at += 16 + length;
  }
  return { header: bytes.slice(0, 24), records: out };
}

export const pcapJoin = ({ header, records: parts }: PcapParts): Uint8Array =>
  Buffer.concat([header, ...parts]);

/** Where `pattern` starts in `bytes`, or -1. */
export function indexOf(bytes: Uint8Array, pattern: readonly number[]): number {
  return Buffer.from(bytes).indexOf(Buffer.from(pattern));
}

/**
 * Re-signs the legacy Just Works confirms of btmon text (its lines, changed
 * in place) for a changed Pairing Request and Response: TK = 0, the
 * addresses `audit` read from the text.
 */
export function resignBtmon(lines: string[], preq: Uint8Array, pres: Uint8Array, audit: PairingAudit): void {
  const at = (label: string) => lines.flatMap((l, i) => (l.includes(label) ? [i] : []));
  const randoms = at('Random value:');
  for (const [n, c] of at('Confim value:').entries()) {
    const random = Buffer.from(lines[randoms[n]!]!.trim().split(' ').pop()!, 'hex');
    const confirm = confirmFor(new Uint8Array(16), random, preq, pres, audit);
    lines[c] = `        Confim value: ${Buffer.from(confirm).toString('hex')}`;
  }
}

/** c1(tk, random, preq, pres, ia, ra) with the addresses `audit` read from the capture (Core Vol 3 Part H 2.2.3). */
export function confirmFor(
  tk: Uint8Array,
  random: Uint8Array,
  preq: Uint8Array,
  pres: Uint8Array,
  audit: PairingAudit,
): Uint8Array {
  const ia = audit.initiator.addressRaw!;
  const ra = audit.responder.addressRaw!;
  return crypto.c1(tk, random, preq, pres, ia.type, ia.address, ra.type, ra.address);
}
