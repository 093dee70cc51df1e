/**
 * nRF Sniffer captures (LINKTYPE_NORDIC_BLE, 272): hand-written records of
 * every header version, the crackle captures re-wrapped as 272 in every
 * version (same packets, same audit), each data packet's flags followed
 * (sender; ciphertext as received, decrypted by the sniffer, or logged as
 * plaintext), bad records skipped, random input, Wireshark's reading.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { e } from '../../src/crypto/aes.js';
import { concat, fromHex, reverse, toHex } from '../../src/crypto/bytes.js';
import { ccmDecrypt, linkNonce } from '../../src/trace/audit/ccm.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { auditTrace, readTrace, TraceReadError, TraceReader } from '../../src/trace/index.js';
import { LinkLayerDecoder } from '../../src/trace/ll-decoder.js';
import type { LinkLayerRecord } from '../../src/trace/model.js';
import { type NordicBleRecord, nordicBleHeader } from '../../src/trace/readers/nordic-ble.js';
import { fixture } from './fixtures.js';

const NORDIC_BLE = 272;
const ADVERTISING = 0x8e89bed6;
const VERSIONS = [0, 1, 2, 3] as const;
type Version = (typeof VERSIONS)[number];

const CRACKLE = [
  'crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap',
  'crackle-04-le-secure-connections.pcapng',
  'crackle-05-legacy-passkey-numeric-pin.pcap',
];

const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16(n >>> 16)];
const u32 = (b: Uint8Array, at: number) =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
const hex = (s: string) => Uint8Array.from(s.match(/[0-9a-f]{2}/gi)!.map((h) => Number.parseInt(h, 16)));

// --- The generator: one nRF Sniffer record around an LE packet (access address, PDU, CRC). ---

interface Wrap {
  readonly version: Version;
  readonly flags: number;
  readonly channel?: number;
  /** The RSSI octet as captured (the dBm value negated). */
  readonly rssi?: number;
  readonly eventCounter?: number;
  readonly time?: number;
  readonly counter?: number;
  readonly board?: number;
  /** Default: 0x02 for advertising packets in version 3, else 0x06. */
  readonly packetId?: number;
  /** The event header's length octet (versions 1 to 3), default 10; more pads the header. */
  readonly eventHeaderLength?: number;
  /** LE Coded PHY (flags bits 4 to 6 = 2): the octet put between access address and PDU, default 0. */
  readonly codingIndicator?: number;
}

/** One LINKTYPE_NORDIC_BLE record of `version` holding the LE packet `le` (with a coding indicator on LE Coded). */
function nordicFrame(packet: Uint8Array, wrap: Wrap): Uint8Array {
  const { version, flags } = wrap;
  const coded = ((flags >> 4) & 7) === 2 && packet.length >= 4;
  const le = coded
    ? Uint8Array.from([...packet.subarray(0, 4), wrap.codingIndicator ?? 0, ...packet.subarray(4)])
    : packet;
  const length = wrap.eventHeaderLength ?? 10;
  const fields = [
    flags,
    wrap.channel ?? 0,
    wrap.rssi ?? 60,
    ...le16(wrap.eventCounter ?? 0),
    ...le32(wrap.time ?? 0),
  ];
  const event = version === 0 ? fields : [length, ...fields, ...new Array(Math.max(0, length - 10)).fill(0)];
  const payload = [...event, ...le];
  const advertising = le.length >= 4 && u32(le, 0) === ADVERTISING;
  const id = wrap.packetId ?? (version === 3 && advertising ? 0x02 : 0x06);
  const counter = le16(wrap.counter ?? 0);
  const board = wrap.board ?? 0;
  if (version === 0) return Uint8Array.from([0xbe, 0xef, id, ...counter, 0, 0, payload.length, ...payload]);
  if (version === 1) return Uint8Array.from([board, 6, payload.length, 1, ...counter, id, ...payload]);
  return Uint8Array.from([board, ...le16(payload.length), version, ...counter, id, ...payload]);
}

type Sender = 'central' | 'peripheral';

/**
 * Flags as a sniffer following the connections would set them: CRC OK; the
 * sender of a data packet as `senders` has it by frame, else alternating from
 * the central; encrypted from LL_START_ENC_REQ on.
 */
function flagger(
  senders: ReadonlyMap<number, Sender> = new Map(),
): (le: Uint8Array, frame: number) => number {
  const links = new Map<number, { central: boolean; encrypted: boolean }>();
  return (le, frame) => {
    if (le.length < 6) return 0x01;
    const accessAddress = u32(le, 0);
    if (accessAddress === ADVERTISING) {
      if ((le[4]! & 0x0f) === 0x05 && le.length >= 24)
        links.set(u32(le, 18), { central: true, encrypted: false });
      return 0x01;
    }
    const link = links.get(accessAddress) ?? { central: true, encrypted: false };
    links.set(accessAddress, link);
    const sender = senders.get(frame);
    const central = sender === undefined ? link.central : sender === 'central';
    const flags = 0x01 | (central ? 0x02 : 0) | (link.encrypted ? 0x04 : 0);
    link.central = !central;
    if ((le[4]! & 0x03) === 0x03 && le[5]! > 0 && le[6] === 0x05) link.encrypted = true;
    return flags;
  };
}

/** Memoized per capture name: the helpers below audit the original capture. */
function once<T>(compute: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>();
  return (name) => {
    if (!cache.has(name)) cache.set(name, compute(name));
    return cache.get(name)!;
  };
}

/** The sender of each SMP PDU as the audit of the original capture has it (by protocol order), by frame. */
const smpSenders = once((name): ReadonlyMap<number, Sender> => {
  const senders = new Map<number, Sender>();
  for (const pairing of auditTrace(fixture(name)).pairings)
    for (const step of pairing.steps)
      if (step.from !== 'both') senders.set(step.at, step.from === 'initiator' ? 'central' : 'peripheral');
  return senders;
});

/** A PDU decrypted as a sniffer holding the key would: its plaintext and its sender (the nonce's direction bit). */
interface Decrypted {
  readonly plain: Uint8Array;
  readonly sender: Sender;
}

/**
 * The encrypted PDUs of a legacy pairing's capture decrypted under the STK the
 * audit derives (SK = e(STK, SKDm || SKDs), Core Vol 6 Part E 1), by their
 * ciphertext and MIC (a retransmission repeats them).
 */
const decryptedPdus = once((name): ReadonlyMap<string, Decrypted> => {
  const stk = fromHex(auditTrace(fixture(name)).pairings[0]!.stk!);
  const decoder = new LinkLayerDecoder();
  const events = readTrace(fixture(name)).records.flatMap((r) => (r.kind === 'll' ? decoder.push(r) : []));
  const find = <T extends TraceEvent['type']>(type: T) =>
    events.find((event): event is Extract<TraceEvent, { type: T }> => event.type === type)!;
  const start = find('encryption-start');
  const response = find('encryption-response');
  const sk = reverse(e(stk, concat(start.skdm!, response.skds)));
  const iv = concat(start.ivm!, response.ivs);
  const counters: Record<Sender, number> = { central: 0, peripheral: 0 };
  const out = new Map<string, Decrypted>();
  for (const event of events) {
    if (event.type !== 'encrypted-pdu') continue;
    search: for (const sender of ['central', 'peripheral'] as const) {
      for (let counter = counters[sender]; counter < counters[sender] + 4; counter++) {
        const plain = ccmDecrypt(
          sk,
          linkNonce(counter, sender === 'central', iv),
          event.header,
          event.payload,
        );
        if (!plain) continue;
        out.set(toHex(event.payload), { plain, sender });
        counters[sender] = counter + 1;
        break search;
      }
    }
  }
  return out;
});

// --- Containers: the crackle files re-written frame by frame with link type 272. ---

/** The LE packet of a crackle frame: PPI (192) around 147, or 256's 10-octet header. */
function lePacket(linkType: number, frame: Uint8Array): Uint8Array {
  if (linkType === 192) return frame.subarray(frame[2]! | (frame[3]! << 8));
  if (linkType === 256) return frame.subarray(10);
  throw new Error(`link type ${linkType}`);
}

/** A copy of a little-endian pcap or pcapng file with every frame mapped and the link type set to 272. */
function rewrite(bytes: Uint8Array, map: (frame: Uint8Array, linkType: number) => Uint8Array): Uint8Array {
  const view = Buffer.from(bytes);
  const out: Buffer[] = [];
  if (view.readUInt32LE(0) === 0xa1b2c3d4) {
    const head = Buffer.from(view.subarray(0, 24));
    const linkType = head.readUInt32LE(20);
    head.writeUInt32LE(NORDIC_BLE, 20);
    out.push(head);
    for (let at = 24; at + 16 <= view.length; ) {
      const length = view.readUInt32LE(at + 8);
      const frame = map(view.subarray(at + 16, at + 16 + length), linkType);
      const record = Buffer.alloc(16);
      view.copy(record, 0, at, at + 8);
      record.writeUInt32LE(frame.length, 8);
      record.writeUInt32LE(frame.length, 12);
      out.push(record, Buffer.from(frame));
      at += 16 + length;
    }
    return Buffer.concat(out);
  }
  const linkTypes: number[] = [];
  for (let at = 0; at + 12 <= view.length; ) {
    const type = view.readUInt32LE(at);
    const length = view.readUInt32LE(at + 4);
    const block = Buffer.from(view.subarray(at, at + length));
    at += length;
    if (type === 1) {
      linkTypes.push(block.readUInt16LE(8));
      block.writeUInt16LE(NORDIC_BLE, 8);
    } else if (type === 6) {
      const captured = block.readUInt32LE(20);
      const frame = map(block.subarray(28, 28 + captured), linkTypes[block.readUInt32LE(8)]!);
      const padded = (frame.length + 3) & ~3;
      const options = block.subarray(28 + ((captured + 3) & ~3), length - 4);
      const total = 28 + padded + options.length + 4;
      const epb = Buffer.alloc(total);
      block.copy(epb, 0, 0, 20);
      epb.writeUInt32LE(total, 4);
      epb.writeUInt32LE(frame.length, 20);
      epb.writeUInt32LE(frame.length, 24);
      epb.set(frame, 28);
      epb.set(options, 28 + padded);
      epb.writeUInt32LE(total, total - 4);
      out.push(epb);
      continue;
    }
    out.push(block);
  }
  return Buffer.concat(out);
}

/**
 * What the sniffer did with the encrypted PDUs: passed them on as received
 * (flagged encrypted, MIC not OK: it lacked the key), decrypted them (flagged
 * encrypted, MIC OK, the MIC removed), or logged them as plaintext (not
 * flagged encrypted).
 */
type Encrypted = 'ciphertext' | 'decrypted' | 'plaintext';

/**
 * A crackle capture re-wrapped as nRF Sniffer records of `version`, with the
 * flags a sniffer would set (each SMP PDU's sender as the original's audit has
 * it; each decrypted PDU's by its nonce).
 */
function asNordic(name: string, version: Version, encrypted: Encrypted = 'ciphertext'): Uint8Array {
  const senders = smpSenders(name);
  const decrypted: ReadonlyMap<string, Decrypted> =
    encrypted === 'ciphertext' ? new Map() : decryptedPdus(name);
  const flags = flagger(senders);
  let counter = 0;
  return rewrite(fixture(name), (frame, linkType) => {
    let le = lePacket(linkType, frame);
    counter += 1;
    const advertising = le.length >= 4 && u32(le, 0) === ADVERTISING;
    let f = flags(le, counter);
    const plain = advertising || le.length < 6 ? undefined : decrypted.get(toHex(le.subarray(6, 6 + le[5]!)));
    if (plain) {
      const { length } = plain.plain;
      le = Uint8Array.from([...le.subarray(0, 4), le[4]!, length, ...plain.plain, ...le.subarray(-3)]);
      f = 0x01 | (plain.sender === 'central' ? 0x02 : 0) | (encrypted === 'decrypted' ? 0x0c : 0);
    }
    return nordicFrame(le, {
      version,
      flags: f,
      counter,
      channel: advertising ? 37 + (counter % 3) : counter % 37,
      rssi: 40 + (counter % 50),
      eventCounter: counter * 3,
      time: counter * 1250,
      board: 3,
    });
  });
}

/** A pcap of link type 272 holding `frames`. */
function pcap(frames: readonly Uint8Array[]): Uint8Array {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(0xffff, 16);
  head.writeUInt32LE(NORDIC_BLE, 20);
  const records = frames.map((frame, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + i, 0);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  return Buffer.concat([head, ...records]);
}

/** The same frames in a pcapng file (one interface of link type 272). */
function pcapng(frames: readonly Uint8Array[]): Uint8Array {
  const block = (type: number, body: Uint8Array) => {
    const padded = (body.length + 3) & ~3;
    const out = Buffer.alloc(12 + padded);
    out.writeUInt32LE(type, 0);
    out.writeUInt32LE(out.length, 4);
    out.set(body, 8);
    out.writeUInt32LE(out.length, out.length - 4);
    return out;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(NORDIC_BLE, 0);
  const packets = frames.map((frame) => {
    const body = Buffer.alloc(20 + frame.length);
    body.writeUInt32LE(frame.length, 12);
    body.writeUInt32LE(frame.length, 16);
    body.set(frame, 20);
    return block(6, body);
  });
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...packets]);
}

const linkLayer = (records: readonly unknown[]) =>
  (records as LinkLayerRecord[]).map(({ kind, at, time, accessAddress, pdu }) => ({
    kind,
    at,
    time,
    accessAddress,
    pdu: [...pdu],
  }));

/** Runs `read`; it may return or throw a TraceReadError, nothing else. */
function readsOrRefuses(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(TraceReadError);
  }
}

// An LL_TERMINATE_IND (reason 0x13) on access address 0x50654a12, then a CRC.
const LE_DATA = hex('124a6550 0302 0213 aabbcc');
// An ADV_IND from 11:22:33:44:55:66 (random) with no data.
const LE_ADVERTISING = hex('d6be898e 4006 665544332211 abcdef');

describe('LINKTYPE_NORDIC_BLE: header versions', () => {
  // Hand-written from the layout: UART header, event header, LE packet at octet 17.
  const written: Record<Version, string> = {
    0: 'beef 06 3412 0000 14   0b 05 3c 0700 10270000',
    1: '01 06 15 01 3412 06   0a 0b 05 3c 0700 10270000',
    2: '01 1500 02 3412 06   0a 0b 05 3c 0700 10270000',
    3: '01 1500 03 3412 06   0a 0b 05 3c 0700 10270000',
  };

  it.each(VERSIONS)('version %i: the fields where the layout puts them', (version) => {
    const frame = Uint8Array.from([...hex(written[version]), ...LE_DATA]);
    expect(frame).toEqual(
      nordicFrame(LE_DATA, {
        version,
        flags: 0x0b,
        channel: 5,
        rssi: 0x3c,
        eventCounter: 7,
        time: 10000,
        counter: 0x1234,
        board: 1,
      }),
    );
    expect(nordicBleHeader(frame)).toEqual({
      version,
      ...(version === 0 ? {} : { board: 1 }),
      packetId: 0x06,
      counter: 0x1234,
      physicalChannel: 'data',
      flags: 0x0b,
      crcOk: true,
      sender: 'central',
      // Bit 3 (MIC OK) means nothing on a packet not flagged encrypted.
      encrypted: false,
      micOk: false,
      phy: 0,
      channel: 5,
      rssi: -60,
      eventCounter: 7,
      time: 10000,
      accessAddress: 0x50654a12,
      packetOffset: 17,
      pduOffset: 21,
    });
    const { records } = readTrace(pcap([frame]));
    expect(linkLayer(records)).toEqual([
      { kind: 'll', at: 1, time: 1_700_000_000, accessAddress: 0x50654a12, pdu: [0x03, 0x02, 0x02, 0x13] },
    ]);
    expect((records[0] as LinkLayerRecord).channel).toBe(5);
  });

  it('flags: direction, encryption and MIC per packet, PHY; advertising packets have neither direction nor encryption', () => {
    const header = (flags: number, le = LE_DATA, version: Version = 3) =>
      nordicBleHeader(nordicFrame(le, { version, flags }))!;
    expect(header(0x01)).toMatchObject({ sender: 'peripheral', encrypted: false, micOk: false, phy: 0 });
    expect(header(0x03)).toMatchObject({ sender: 'central', encrypted: false });
    expect(header(0x05)).toMatchObject({ sender: 'peripheral', encrypted: true, micOk: false });
    expect(header(0x0f)).toMatchObject({ sender: 'central', encrypted: true, micOk: true });
    expect(header(0x21)).toMatchObject({ phy: 2, crcOk: true });
    expect(header(0x10)).toMatchObject({ phy: 1, crcOk: false });
    for (const version of VERSIONS) {
      const advertising = header(0x0f, LE_ADVERTISING, version);
      expect(advertising).toMatchObject({ physicalChannel: 'advertising', encrypted: false, micOk: false });
      expect(advertising.sender).toBeUndefined();
    }
    // Below version 3 the access address decides, whatever the packet ID.
    expect(
      nordicBleHeader(nordicFrame(LE_ADVERTISING, { version: 2, flags: 1, packetId: 0x06 })),
    ).toMatchObject({
      physicalChannel: 'advertising',
    });
  });

  it('the LE packet starts the event header length after the UART header', () => {
    const frame = nordicFrame(LE_DATA, { version: 3, flags: 1, eventHeaderLength: 13 });
    expect(nordicBleHeader(frame)).toMatchObject({ packetOffset: 20, accessAddress: 0x50654a12 });
    expect(linkLayer(readTrace(pcap([frame])).records)[0]!.pdu).toEqual([0x03, 0x02, 0x02, 0x13]);
  });

  it('versions 2 and 3: a payload length over 255 (a 251-octet PDU payload, Data Length Extension)', () => {
    const payload = Array.from({ length: 251 }, (_, i) => i & 0xff);
    const le = Uint8Array.from([...le32(0x50654a12), 0x02, 251, ...payload, 1, 2, 3]);
    for (const version of [2, 3] as const) {
      const frame = nordicFrame(le, { version, flags: 1 });
      expect(frame[1]! | (frame[2]! << 8)).toBe(10 + le.length);
      expect(linkLayer(readTrace(pcap([frame])).records)[0]!.pdu).toEqual([0x02, 251, ...payload]);
    }
  });

  it('LE Coded PHY: the coding indicator after the access address is not part of the PDU', () => {
    for (const version of VERSIONS) {
      const frame = nordicFrame(LE_DATA, { version, flags: 0x21, codingIndicator: 1 });
      expect(frame.subarray(17, 22)).toEqual(hex('124a6550 01'));
      expect(nordicBleHeader(frame)).toMatchObject({
        phy: 2,
        codingIndicator: 1,
        packetOffset: 17,
        pduOffset: 22,
      });
      expect(linkLayer(readTrace(pcap([frame])).records)[0]!.pdu).toEqual([0x03, 0x02, 0x02, 0x13]);
    }
    expect(
      nordicBleHeader(nordicFrame(LE_DATA, { version: 3, flags: 0x11 }))!.codingIndicator,
    ).toBeUndefined();
  });

  it('a packet flagged with a bad CRC is skipped; the frame numbers of the others stay', () => {
    const frames = [0x01, 0x00, 0x03, 0x02].map((flags) => nordicFrame(LE_DATA, { version: 2, flags }));
    expect(readTrace(pcap(frames)).records.map((r) => r.at)).toEqual([1, 3]);
  });

  it('bad records hold no packet and do not stop the reader', () => {
    const good = nordicFrame(LE_DATA, { version: 3, flags: 1 });
    const bad: Record<string, Uint8Array> = {
      'version 4': Uint8Array.from([...good.subarray(0, 3), 4, ...good.subarray(4)]),
      'version 255': Uint8Array.from([...good.subarray(0, 3), 0xff, ...good.subarray(4)]),
      'version 0 without BE EF': Uint8Array.from([...good.subarray(0, 3), 0, ...good.subarray(4)]),
      'payload length one short': Uint8Array.from([good[0]!, good[1]! - 1, ...good.subarray(2)]),
      'payload length one long': Uint8Array.from([good[0]!, good[1]! + 1, ...good.subarray(2)]),
      'version 0 payload length wrong': (() => {
        const frame = nordicFrame(LE_DATA, { version: 0, flags: 1 });
        frame[7] = frame[7]! - 1;
        return frame;
      })(),
      'version 1 header length 7': (() => {
        const frame = nordicFrame(LE_DATA, { version: 1, flags: 1 });
        frame[1] = 7;
        return frame;
      })(),
      'event header length 9': (() => {
        const frame = nordicFrame(LE_DATA, { version: 3, flags: 1 });
        frame[7] = 9;
        return frame;
      })(),
      'event header past the record': nordicFrame(LE_DATA.subarray(0, 5), {
        version: 2,
        flags: 1,
        eventHeaderLength: 10,
      }),
      'PDU length past the record': nordicFrame(hex('124a6550 0309 0213 aabbcc'), { version: 2, flags: 1 }),
      'packet ID 0x01 (EVENT_FOLLOW)': nordicFrame(LE_DATA, { version: 2, flags: 1, packetId: 0x01 }),
      'version 3: advertising ID, data access address': nordicFrame(LE_DATA, {
        version: 3,
        flags: 1,
        packetId: 0x02,
      }),
      'version 3: data ID, advertising access address': nordicFrame(LE_ADVERTISING, {
        version: 3,
        flags: 1,
        packetId: 0x06,
      }),
      'UART header only': Uint8Array.from([1, 0, 0, 3, 0, 0, 6]),
      'BE EF only': Uint8Array.from([0xbe, 0xef]),
      'board ID only': Uint8Array.from([1]),
      empty: new Uint8Array(0),
    };
    for (const [what, frame] of Object.entries(bad)) {
      expect(readTrace(pcap([frame])).records, what).toEqual([]);
      if (!what.startsWith('PDU length')) expect(nordicBleHeader(frame), what).toBeUndefined();
      for (const container of [pcap, pcapng]) {
        expect(
          readTrace(container([frame, good])).records.map((r) => r.at),
          what,
        ).toEqual([2]);
      }
    }
  });
});

describe('LINKTYPE_NORDIC_BLE: the crackle captures re-wrapped in every header version', () => {
  const original = new Map(CRACKLE.map((name) => [name, auditTrace(fixture(name))]));

  it.each(CRACKLE.flatMap((name) => VERSIONS.map((version) => [name, version] as const)))(
    '%s as version %i: the same packets and the same audit',
    (name, version) => {
      const wrapped = asNordic(name, version);
      const before = readTrace(fixture(name));
      const after = readTrace(wrapped);
      expect(after.format).toBe(before.format);
      expect(after.records.length).toBeGreaterThan(100);
      expect(linkLayer(after.records)).toEqual(linkLayer(before.records));
      expect(auditTrace(wrapped)).toEqual(original.get(name));
    },
  );

  it('the audits being compared are the ones the crackle tests check', () => {
    expect(original.get(CRACKLE[0]!)!.pairings[0]!.findings.map((f) => f.rule)).toContain('stk-verified');
    expect(original.get(CRACKLE[1]!)!.pairings[0]!.method).toBe('secure-connections');
    expect(original.get(CRACKLE[2]!)!.pairings[0]!.passkey).toBe(461140);
  });

  it('the sniffer headers ride along: direction alternating per connection, encryption from LL_START_ENC_REQ on', () => {
    const records = readTrace(asNordic(CRACKLE[2]!, 3)).records as NordicBleRecord[];
    const data = records.filter((r) => r.nordic.physicalChannel === 'data');
    expect(data.length).toBeGreaterThan(10);
    expect(new Set(data.map((r) => r.nordic.sender))).toEqual(new Set(['central', 'peripheral']));
    const start = data.findIndex((r) => r.pdu[0]! % 4 === 3 && r.pdu[2] === 0x05);
    expect(start).toBeGreaterThan(0);
    expect(data.slice(0, start + 1).every((r) => !r.nordic.encrypted)).toBe(true);
    expect(data.slice(start + 1).every((r) => r.nordic.encrypted && !r.nordic.micOk)).toBe(true);
    expect(records.every((r) => r.nordic.version === 3 && r.nordic.board === 3 && r.nordic.crcOk)).toBe(true);
  });

  it('a corrupted Pairing Confirm: flagged with a bad CRC it is skipped; flagged good it is read as captured', () => {
    const name = CRACKLE[0]!;
    const confirm = 569;
    const corrupt = (crcOk: boolean) => {
      const flags = flagger(smpSenders(name));
      let frame = 0;
      return rewrite(fixture(name), (bytes, linkType) => {
        const le = Uint8Array.from(lePacket(linkType, bytes));
        frame += 1;
        let f = flags(le, frame);
        if (frame === confirm) {
          le[le.length - 5] = le[le.length - 5]! ^ 0xff;
          if (!crcOk) f &= ~0x01;
        }
        return nordicFrame(le, { version: 2, flags: f });
      });
    };
    const skipped = readTrace(corrupt(false)).records.map((r) => r.at);
    expect(skipped).not.toContain(confirm);
    expect(skipped).toContain(confirm + 1);
    const audit = (bytes: Uint8Array) =>
      auditTrace(bytes)
        .pairings[0]!.findings.filter((f) => f.rule === 'confirm-verified')
        .map((f) => f.where);
    const read = corrupt(true);
    expect(readTrace(read).records.map((r) => r.at)).toContain(confirm);
    expect(audit(read)).not.toEqual([569, 572]);
    expect(audit(asNordic(name, 2))).toEqual([569, 572]);
  });

  it('the same packets however the file arrives in chunks', () => {
    const bytes = asNordic(CRACKLE[1]!, 1);
    const whole = readTrace(bytes).records.map((r) => r.at);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const reader = new TraceReader();
          const edges = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const read = edges.slice(1).flatMap((end, i) => reader.push(bytes.subarray(edges[i], end)));
          expect([...read, ...reader.end()].map((r) => r.at)).toEqual(whole);
        },
      ),
      { numRuns: 20 },
    );
  });
});

/** The events the link-layer decoder makes of a capture's records. */
function llEvents(bytes: Uint8Array): TraceEvent[] {
  const decoder = new LinkLayerDecoder();
  return readTrace(bytes).records.flatMap((r) => (r.kind === 'll' ? decoder.push(r) : []));
}

describe('LINKTYPE_NORDIC_BLE: the flags of each data packet', () => {
  const LEGACY = [CRACKLE[0]!, CRACKLE[2]!];

  it('an SMP PDU carries the sender its flags give; the original capture records none', () => {
    for (const name of CRACKLE) {
      const records = readTrace(asNordic(name, 3)).records as NordicBleRecord[];
      const decoder = new LinkLayerDecoder();
      const smp = records.flatMap((record) =>
        decoder
          .push(record)
          .filter((event) => event.type === 'smp')
          .map((event) => [event.sender, record.nordic.sender]),
      );
      expect(smp.length, name).toBeGreaterThan(5);
      for (const [sender, flagged] of smp) expect(sender, name).toBe(flagged);
      expect(new Set(smp.map(([sender]) => sender)), name).toEqual(new Set(['central', 'peripheral']));
      const original = llEvents(fixture(name)).filter((event) => event.type === 'smp');
      expect(
        original.every((event) => event.sender === undefined),
        name,
      ).toBe(true);
    }
  });

  it.each(
    LEGACY.flatMap((name) =>
      (
        [
          ['decrypted', 'decrypted by the sniffer (flagged encrypted, MIC OK)'],
          ['plaintext', 'logged as plaintext (not flagged encrypted)'],
        ] as const
      ).flatMap(([encrypted, what]) => VERSIONS.map((version) => [name, version, what, encrypted] as const)),
    ),
  )(
    '%s as version %i, the encrypted PDUs %s: read as plaintext, the keys audited as sent',
    (name, version, _what, encrypted) => {
      const wrapped = asNordic(name, version, encrypted);
      const decrypted = decryptedPdus(name);
      expect(decrypted.size).toBeGreaterThanOrEqual(3);
      // The decrypted PDUs are no longer ciphertext to the decoder; the rest (the sniffer could not decrypt them) still are.
      const before = llEvents(fixture(name)).filter((event) => event.type === 'encrypted-pdu');
      const after = llEvents(wrapped).filter((event) => event.type === 'encrypted-pdu');
      expect(after.map((event) => event.at)).toEqual(
        before.filter((event) => !decrypted.has(toHex(event.payload))).map((event) => event.at),
      );
      const [original] = auditTrace(fixture(name)).pairings;
      const [audit] = auditTrace(wrapped).pairings;
      const { method, model, passkey, stk, outcome } = original!;
      expect(audit).toMatchObject({ method, model, passkey, stk, outcome });
      // The key distribution the auditor decrypted itself is now in the capture, from the sender the flags give.
      const step = ({ at, from, label }: { at: number; from: string; label: string }) =>
        `${at} ${from} ${label}`;
      const steps = audit!.steps.map(step);
      expect(steps).toEqual(expect.arrayContaining(original!.steps.map(step)));
      expect(
        steps.filter((s) => / (Encryption|Central Identification|Identity)/.test(s)).length,
      ).toBeGreaterThan(0);
      // Nothing is left to check the STK against over the air; everything else is found as before.
      const finding = ({ rule, where, message }: { rule: string; where: number; message: string }) =>
        `${rule} ${where} ${message}`;
      expect(audit!.findings.map(finding)).toEqual(
        original!.findings.filter((f) => f.rule !== 'stk-verified').map(finding),
      );
      expect(audit!.verified).toEqual(original!.verified.filter((v) => !v.startsWith('the STK')));
    },
  );

  it('flagged encrypted with a bad MIC: ciphertext, even where the capture lacks LL_START_ENC_REQ', () => {
    const name = CRACKLE[2]!;
    const bytes = asNordic(name, 2);
    // The sniffer missed LL_START_ENC_REQ (and any retransmission of it): those records are flagged with a bad CRC.
    const starts = readTrace(bytes)
      .records.filter((r) => r.kind === 'll' && r.pdu[0]! % 4 === 3 && r.pdu[1]! > 0 && r.pdu[2] === 0x05)
      .map((r) => r.at);
    expect(starts.length).toBeGreaterThan(0);
    let frame = 0;
    const missed = rewrite(bytes, (data) => {
      frame += 1;
      const out = Uint8Array.from(data);
      if (starts.includes(frame)) out[8] = out[8]! & ~0x01;
      return out;
    });
    expect(readTrace(missed).records.filter((r) => starts.includes(r.at))).toEqual([]);
    const ciphertext = (capture: Uint8Array) =>
      llEvents(capture)
        .filter((event) => event.type === 'encrypted-pdu')
        .map((event) => event.at);
    expect(ciphertext(missed).length).toBeGreaterThan(20);
    expect(ciphertext(missed)).toEqual(ciphertext(fixture(name)));
    const [audit] = auditTrace(missed).pairings;
    expect(audit!.findings.map((f) => f.rule)).toContain('stk-verified');
    expect(audit!.steps.map((s) => s.label)).toContain('Identity Information');
  });
});

describe('LINKTYPE_NORDIC_BLE: random input', () => {
  const wrap = fc.record({
    version: fc.constantFrom(...VERSIONS),
    flags: fc.integer({ min: 0, max: 255 }),
    channel: fc.integer({ min: 0, max: 39 }),
    rssi: fc.integer({ min: 0, max: 255 }),
    eventCounter: fc.integer({ min: 0, max: 0xffff }),
    time: fc.integer({ min: 0, max: 0xffffffff }),
    counter: fc.integer({ min: 0, max: 0xffff }),
    board: fc.integer({ min: 0, max: 255 }),
  });
  const lePdu = fc
    .tuple(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 200 }),
    )
    .map(([accessAddress, header, payload]) =>
      Uint8Array.from([...le32(accessAddress), header, payload.length, ...payload, 1, 2, 3]),
    );

  it('any generated record reads back its fields and its packet', () => {
    fc.assert(
      fc.property(wrap, lePdu, (w, le) => {
        const frame = nordicFrame(le, w);
        const header = nordicBleHeader(frame);
        const accessAddress = u32(le, 0);
        const data = accessAddress !== ADVERTISING;
        expect(header).toMatchObject({
          version: w.version,
          counter: w.counter,
          flags: w.flags,
          crcOk: (w.flags & 1) === 1,
          encrypted: data && (w.flags & 4) !== 0,
          phy: (w.flags >> 4) & 7,
          channel: w.channel,
          rssi: -w.rssi,
          eventCounter: w.eventCounter,
          time: w.time,
          accessAddress,
          packetOffset: 17,
        });
        expect(header!.sender).toBe(data ? (w.flags & 2 ? 'central' : 'peripheral') : undefined);
        const { records } = readTrace(pcap([frame]));
        expect(linkLayer(records).map((r) => [r.accessAddress, r.pdu])).toEqual(
          w.flags & 1 ? [[accessAddress, [...le.subarray(4, le.length - 3)]]] : [],
        );
        // A data packet's sender and ciphertext as the flags give them: encrypted and not decrypted (MIC not OK).
        for (const { sender, ciphertext } of records as LinkLayerRecord[]) {
          expect(sender).toBe(header!.sender);
          expect(ciphertext).toBe(data ? (w.flags & 0x0c) === 0x04 : undefined);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random frames, whole or after a valid header: a result or a TraceReadError', () => {
    const head = fc.constantFrom(
      ...VERSIONS.map((version) => nordicFrame(LE_DATA, { version, flags: 1 }).subarray(0, 8)),
    );
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(head, fc.uint8Array({ maxLength: 64 })).map(([h, t]) => Uint8Array.from([...h, ...t])),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.boolean(), (frames, ng) => {
        const bytes = (ng ? pcapng : pcap)(frames);
        readsOrRefuses(() => auditTrace(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('truncated and corrupted re-wrapped captures: a result or a TraceReadError', () => {
    const captures = CRACKLE.flatMap((name) => VERSIONS.map((version) => asNordic(name, version)));
    fc.assert(
      fc.property(
        fc.constantFrom(...captures),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (capture, keep, flips) => {
          const bytes = Uint8Array.from(capture);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          readsOrRefuses(() => auditTrace(bytes.subarray(0, Math.floor(bytes.length * keep))));
        },
      ),
      { numRuns: 150 },
    );
  });
});

const tshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
if (!tshark)
  console.warn('tshark is not installed (Debian package tshark): skipping the Wireshark agreement test');

describe.skipIf(!tshark)(
  'LINKTYPE_NORDIC_BLE: Wireshark (tshark) reads the generated captures as we do',
  () => {
    const FIELDS = [
      'frame.number',
      'nordic_ble.protover',
      'nordic_ble.channel',
      'nordic_ble.rssi',
      'nordic_ble.direction',
      'nordic_ble.encrypted',
      'nordic_ble.micok',
      'btle.access_address',
      'btsmp.opcode',
    ];

    /** Per frame: header version, channel, RSSI, direction, encrypted, MIC OK, access address, SMP opcode, as tshark prints them. */
    function ours(bytes: Uint8Array): string[] {
      const decoder = new LinkLayerDecoder();
      return (readTrace(bytes).records as NordicBleRecord[]).map((record) => {
        const { nordic } = record;
        const smp = decoder.push(record).find((e) => e.type === 'smp');
        const data = nordic.physicalChannel === 'data';
        return [
          record.at,
          nordic.version,
          nordic.channel,
          nordic.rssi,
          data ? (nordic.sender === 'central' ? 1 : 0) : '',
          data ? (nordic.encrypted ? 1 : 0) : '',
          nordic.encrypted ? (nordic.micOk ? 1 : 0) : '',
          `0x${record.accessAddress.toString(16).padStart(8, '0')}`,
          smp?.type === 'smp' ? `0x${smp.bytes[0]!.toString(16).padStart(2, '0')}` : '',
        ].join('\t');
      });
    }

    it.each([
      ...VERSIONS.map((version) => [CRACKLE[0]!, version, 'ciphertext'] as const),
      [CRACKLE[1]!, 3, 'ciphertext'] as const,
      [CRACKLE[2]!, 2, 'ciphertext'] as const,
      // Flagged encrypted with the MIC OK, Wireshark too reads the payload as plaintext: the key distribution's SMP PDUs.
      [CRACKLE[2]!, 3, 'decrypted'] as const,
      [CRACKLE[2]!, 1, 'plaintext'] as const,
    ])(
      '%s as version %i, encrypted PDUs as %s: every frame alike, the SMP PDUs in the same frames',
      (name, version, encrypted) => {
        const bytes = asNordic(name, version, encrypted);
        const dir = mkdtempSync(join(tmpdir(), 'ble-smp-nordic-'));
        try {
          const file = join(dir, `capture.${name.endsWith('.pcapng') ? 'pcapng' : 'pcap'}`);
          writeFileSync(file, bytes);
          const out = execFileSync(
            'tshark',
            ['-r', file, '-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])],
            {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'ignore'],
            },
          );
          const theirs = out.split('\n').filter((line) => line.trim() !== '');
          const mine = ours(bytes);
          expect(mine.filter((line) => line.endsWith('\t0x01')).length).toBe(1);
          // Encryption Information in the capture's plaintext, not only to the auditor that decrypts.
          expect(mine.some((line) => line.endsWith('\t0x06'))).toBe(encrypted !== 'ciphertext');
          expect(mine).toEqual(theirs);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
