/**
 * Link-layer captures made in the test: CONNECT_IND, data and control PDUs,
 * PDUs encrypted as a controller would (SK = e(key, SKDm || SKDs), AES-CCM
 * with the 4-octet MIC, Core Vol 6 Part E 1-2) with node:crypto's AES, not the
 * library's, and a pcap of link type 251 (access address, PDU, CRC).
 */
import { createCipheriv } from 'node:crypto';
import { leCrc } from '../../src/trace/le-crc.js';
import type { LinkLayerRecord } from '../../src/trace/model.js';
import { readTrace } from '../../src/trace/readers/index.js';

export const ADVERTISING = 0x8e89bed6;

/** One packet: access address and PDU (header and payload). */
export interface Frame {
  readonly accessAddress: number;
  readonly pdu: Uint8Array;
}

const reverse = (b: Uint8Array) => Uint8Array.from(b).reverse();
const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);

/** CONNECT_IND from `central` to `peripheral` (addresses in wire order, public) for a connection. */
export function connectInd(
  accessAddress: number,
  crcInit: number,
  central: Uint8Array,
  peripheral: Uint8Array,
): Frame {
  const payload = new Uint8Array(34);
  payload.set(central, 0);
  payload.set(peripheral, 6);
  payload.set(le32(accessAddress), 12);
  payload.set([crcInit & 0xff, (crcInit >> 8) & 0xff, (crcInit >> 16) & 0xff], 16);
  payload.set([2, 0x10, 0, 0x18, 0, 0, 0, 0x48, 0, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x25], 19);
  return { accessAddress: ADVERTISING, pdu: Uint8Array.of(0x05, payload.length, ...payload) };
}

/** A data channel PDU: LLID (1 continuation, 2 start, 3 control) and payload. */
export function dataPdu(accessAddress: number, llid: number, payload: Uint8Array): Frame {
  return { accessAddress, pdu: Uint8Array.of(llid, payload.length, ...payload) };
}

/** An SMP PDU in one L2CAP frame on channel 6 (LLID 2). */
export function smp(accessAddress: number, bytes: readonly number[] | Uint8Array): Frame {
  const n = bytes.length;
  return dataPdu(accessAddress, 2, Uint8Array.of(n & 0xff, n >> 8, 0x06, 0x00, ...bytes));
}

/** An LL control PDU (LLID 3). */
export function control(
  accessAddress: number,
  opcode: number,
  params: readonly number[] | Uint8Array = [],
): Frame {
  return dataPdu(accessAddress, 3, Uint8Array.of(opcode, ...params));
}

/** LL_ENC_REQ: Rand (8), EDIV (2), SKDm (8), IVm (4). */
export const encReq = (aa: number, rand: Uint8Array, ediv: number, skdm: Uint8Array, ivm: Uint8Array) =>
  control(aa, 0x03, [...rand, ediv & 0xff, ediv >> 8, ...skdm, ...ivm]);
/** LL_ENC_RSP: SKDs (8), IVs (4). */
export const encRsp = (aa: number, skds: Uint8Array, ivs: Uint8Array) => control(aa, 0x04, [...skds, ...ivs]);

/** AES-128 of one block, key and block in spec order (most significant octet first). */
function aes(key: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Uint8Array.from(Buffer.concat([cipher.update(block), cipher.final()]));
}

/** Encrypts data PDUs of one session as its two controllers would, counting packets per direction. */
export class Encryptor {
  readonly #sk: Uint8Array;
  readonly #iv: Uint8Array;
  readonly counters = { central: 0, peripheral: 0 };

  /** `key` (STK or LTK), SKDm, SKDs, IVm, IVs in wire order, as LL_ENC_REQ/RSP carry them. */
  constructor(key: Uint8Array, skdm: Uint8Array, skds: Uint8Array, ivm: Uint8Array, ivs: Uint8Array) {
    // SK = e(key, SKD), SKD = SKDm || SKDs with SKDm the least significant half: spec order reverses the concatenation.
    this.#sk = aes(reverse(key), reverse(Uint8Array.of(...skdm, ...skds)));
    this.#iv = Uint8Array.of(...ivm, ...ivs);
  }

  /** The session key in wire order. */
  get sessionKey(): Uint8Array {
    return reverse(this.#sk);
  }

  /** `frame` encrypted by `sender` under the next counter (or `counter`): payload becomes ciphertext and MIC. */
  encrypt(frame: Frame, sender: 'central' | 'peripheral', counter = this.counters[sender]): Frame {
    this.counters[sender] = counter + 1;
    const nonce = new Uint8Array(13);
    nonce.set(le32(counter), 0);
    nonce[4] = Math.floor(counter / 2 ** 32) & 0x7f;
    if (sender === 'central') nonce[4]! |= 0x80;
    nonce.set(this.#iv, 5);
    const header = frame.pdu[0]!;
    const plain = frame.pdu.subarray(2, 2 + frame.pdu[1]!);
    const cipher = createCipheriv('aes-128-ccm', this.#sk, nonce, { authTagLength: 4 });
    cipher.setAAD(Uint8Array.of(header & 0xe3), { plaintextLength: plain.length });
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { accessAddress: frame.accessAddress, pdu: Uint8Array.of(header, body.length, ...body) };
  }
}

/** A pcap (link type 251) of `frames`, each with its CRC from the CRCInit of the CONNECT_IND before it. */
export function pcap251(frames: readonly Frame[]): Uint8Array {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(0xffff, 16);
  head.writeUInt32LE(251, 20);
  const crcInits = new Map<number, number>([[ADVERTISING, 0x555555]]);
  const parts: Buffer[] = [head];
  frames.forEach((frame, i) => {
    const { pdu } = frame;
    if (frame.accessAddress === ADVERTISING && (pdu[0]! & 0x0f) === 0x05)
      crcInits.set(
        (pdu[14]! | (pdu[15]! << 8) | (pdu[16]! << 16) | (pdu[17]! << 24)) >>> 0,
        pdu[18]! | (pdu[19]! << 8) | (pdu[20]! << 16),
      );
    const crc = leCrc(pdu, crcInits.get(frame.accessAddress) ?? 0);
    const body = Buffer.concat([Buffer.from(le32(frame.accessAddress)), Buffer.from(pdu), Buffer.from(crc)]);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + i, 0);
    record.writeUInt32LE(body.length, 8);
    record.writeUInt32LE(body.length, 12);
    parts.push(record, body);
  });
  return Buffer.concat(parts);
}

/** The records our reader makes of `frames` (written as link type 251). */
export const records = (frames: readonly Frame[]): LinkLayerRecord[] =>
  readTrace(pcap251(frames)).records as LinkLayerRecord[];

/**
 * A Secure Connections pairing's link as a sniffer sees it: CONNECT_IND, a
 * Pairing Request and Response (SC, both distributing IdKey), then encryption
 * started with `ltk` and the key distribution (Identity Information and
 * Identity Address Information from each side) encrypted. The public keys,
 * confirms, randoms and DHKey checks are left out: only the encryption matters.
 */
export function scCapture(
  ltk: Uint8Array,
  values: { skdm: Uint8Array; skds: Uint8Array; ivm: Uint8Array; ivs: Uint8Array; irk: Uint8Array },
  aa = 0x50654a27,
): { frames: Frame[]; plaintexts: Uint8Array[]; senders: ('central' | 'peripheral' | undefined)[] } {
  const central = Uint8Array.of(0xf4, 0x3e, 0x73, 0x70, 0xf3, 0x5c);
  const peripheral = Uint8Array.of(0x16, 0x23, 0x42, 0x82, 0x43, 0x1d);
  const session = new Encryptor(ltk, values.skdm, values.skds, values.ivm, values.ivs);
  const keyDistribution: [Frame, 'central' | 'peripheral'][] = [
    [control(aa, 0x06), 'central'],
    [control(aa, 0x06), 'peripheral'],
    [smp(aa, [0x08, ...values.irk]), 'peripheral'],
    [smp(aa, [0x09, 0x01, ...peripheral]), 'peripheral'],
    [smp(aa, [0x08, ...reverse(values.irk)]), 'central'],
    [smp(aa, [0x09, 0x00, ...central]), 'central'],
  ];
  const frames = [
    connectInd(aa, 0x123456, central, peripheral),
    smp(aa, [0x01, 0x03, 0x00, 0x09, 0x10, 0x02, 0x02]),
    smp(aa, [0x02, 0x03, 0x00, 0x09, 0x10, 0x02, 0x02]),
    encReq(aa, new Uint8Array(8), 0, values.skdm, values.ivm),
    encRsp(aa, values.skds, values.ivs),
    control(aa, 0x05),
    ...keyDistribution.map(([frame, sender]) => session.encrypt(frame, sender)),
  ];
  const plain = ['central', 'peripheral', 'central', 'peripheral', 'central'] as const;
  return {
    frames,
    plaintexts: keyDistribution.map(([frame]) => frame.pdu),
    senders: [undefined, ...plain, ...keyDistribution.map(([, sender]) => sender)],
  };
}

/** One nRF Sniffer record (LINKTYPE_NORDIC_BLE, header version 3) around an LE packet, with its flags. */
function nordicRecord(
  frame: Frame,
  crc: Uint8Array,
  counter: number,
  flags: { sender?: 'central' | 'peripheral'; ciphertext?: boolean; channel: number },
): Buffer {
  const advertising = frame.accessAddress === ADVERTISING;
  // Flags: CRC OK, direction (1: central to peripheral), encrypted (and MIC not OK: the sniffer lacked the key).
  const f = 0x01 | (flags.sender === 'central' ? 0x02 : 0) | (flags.ciphertext ? 0x04 : 0);
  const event = [10, f, flags.channel, 60, counter & 0xff, counter >> 8, 0, 0, 0, 0];
  const payload = [...event, ...le32(frame.accessAddress), ...frame.pdu, ...crc];
  return Buffer.from([
    3,
    payload.length & 0xff,
    payload.length >> 8,
    3,
    counter & 0xff,
    counter >> 8,
    advertising ? 0x02 : 0x06,
    ...payload,
  ]);
}

/**
 * A pcap of link type 272 (nRF Sniffer, header version 3) of `frames`: each
 * data packet flagged with its sender, the encrypted ones flagged encrypted
 * with a bad MIC (as a sniffer without the key passes them on); advertising
 * packets on channel 37, data packets on channel index 5.
 */
export function pcapNordic(
  frames: readonly Frame[],
  senders: readonly ('central' | 'peripheral' | undefined)[],
  encryptedFrom: number,
): Uint8Array {
  const plain = Buffer.from(pcap251(frames));
  const head = Buffer.from(plain.subarray(0, 24));
  head.writeUInt32LE(272, 20);
  const parts: Buffer[] = [head];
  let at = 24;
  frames.forEach((frame, i) => {
    const length = plain.readUInt32LE(at + 8);
    const crc = plain.subarray(at + 16 + length - 3, at + 16 + length);
    at += 16 + length;
    const body = nordicRecord(frame, crc, i, {
      ...(senders[i] ? { sender: senders[i] } : {}),
      ciphertext: i >= encryptedFrom,
      channel: frame.accessAddress === ADVERTISING ? 37 : 5,
    });
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + i, 0);
    record.writeUInt32LE(body.length, 8);
    record.writeUInt32LE(body.length, 12);
    parts.push(record, body);
  });
  return Buffer.concat(parts);
}
