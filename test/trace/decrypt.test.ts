/**
 * Decrypting sniffer captures (audit --decrypt): the LE CRC against the
 * crackle captures' own CRCs; the crackle legacy captures decrypted with the
 * STK the audit recovers (the distributed LTKs as crackle prints them);
 * generated captures encrypted with node:crypto under known keys (given
 * LTKs, re-encryption with a distributed LTK, wrong keys, corrupted MICs);
 * the written file re-read by our reader and by tshark.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceAuditor } from '../../src/trace/audit/audit.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { auditTrace, readTrace } from '../../src/trace/index.js';
import { ADVERTISING_CRC_INIT, leCrc } from '../../src/trace/le-crc.js';
import { LinkLayerDecoder } from '../../src/trace/ll-decoder.js';
import { decryptCapture } from '../../src/trace/ll-decrypt-capture.js';
import { LePhdrFlag, linkLayerPcap } from '../../src/trace/ll-pcap-writer.js';
import type { LinkLayerRecord } from '../../src/trace/model.js';
import { fixture } from './fixtures.js';
import {
  ADVERTISING,
  connectInd,
  control,
  Encryptor,
  encReq,
  encRsp,
  type Frame,
  pcapNordic,
  records,
  scCapture,
  smp,
} from './ll-capture.js';

const CRACKLE_01 = 'crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap';
const CRACKLE_05 = 'crackle-05-legacy-passkey-numeric-pin.pcap';
/**
 * The LTKs crackle prints for its tests 01_crack and 05_numeric_pin
 * (github.com/mikeryan/crackle, tests/*\/out/expected_output.txt, "LTK found"),
 * most significant octet first as crackle prints and takes them (-l).
 */
const CRACKLE_LTK: Readonly<Record<string, string>> = {
  [CRACKLE_01]: '7f62c053f104a5bbe68b1d896a2ed49c',
  [CRACKLE_05]: '9c0469262e521d1d40e095e7c542c5ec',
};

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const msbFirst = (b: Uint8Array) => toHex(Uint8Array.from(b).reverse());
const llRecords = (bytes: Uint8Array) =>
  readTrace(bytes).records.filter((r): r is LinkLayerRecord => r.kind === 'll');
const stkOf = (name: string) => fromHex(auditTrace(fixture(name)).pairings[0]!.stk!);
const decode = (all: readonly LinkLayerRecord[]): TraceEvent[] => {
  const decoder = new LinkLayerDecoder();
  return all.flatMap((r) => decoder.push(r));
};
const smpOpcodes = (events: readonly TraceEvent[]) =>
  events.flatMap((e) => (e.type === 'smp' ? [`${e.at}:${e.bytes[0]}`] : []));

const dir = mkdtempSync(join(tmpdir(), 'ble-smp-decrypt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LE CRC-24', () => {
  it.each([CRACKLE_01, CRACKLE_05])(
    '%s: the CRC of the captured packets, from 0x555555 and CONNECT_IND',
    (name) => {
      const all = llRecords(fixture(name));
      let crcInit: number | undefined;
      let match = 0;
      for (const r of all) {
        if (r.accessAddress === ADVERTISING && (r.pdu[0]! & 0x0f) === 0x05)
          crcInit = r.pdu[18]! | (r.pdu[19]! << 8) | (r.pdu[20]! << 16);
        const init = r.accessAddress === ADVERTISING ? ADVERTISING_CRC_INIT : crcInit!;
        if (toHex(leCrc(r.pdu, init)) === toHex(r.crc!)) match++;
      }
      // A sniffer also records a few packets received with bit errors; nearly all check out.
      expect(all.every((r) => r.crc?.length === 3)).toBe(true);
      expect(match).toBeGreaterThanOrEqual(all.length - 2);
      // A wrong CRCInit gives other CRCs.
      const data = all.filter((r) => r.accessAddress !== ADVERTISING && r.pdu[1]! > 0);
      expect(data.filter((r) => toHex(leCrc(r.pdu, 0x123456)) === toHex(r.crc!))).toEqual([]);
    },
  );
});

describe('crackle captures decrypted with the STK the audit recovers', () => {
  it.each([CRACKLE_01, CRACKLE_05])(
    '%s: the key distribution in plaintext, the LTK as crackle prints it',
    (name) => {
      const result = decryptCapture(readTrace(fixture(name)).records, {
        keys: [{ key: stkOf(name), source: 'the STK' }],
      });
      expect(result.sessions).toHaveLength(1);
      const [session] = result.sessions;
      expect(session!.key?.source).toBe('the STK');
      expect(session!.decrypted + session!.micFailures).toBe(session!.encrypted);
      // crackle decrypts 3 of 3 (01) and 55 of 57 (05) packets.
      expect(session!.decrypted).toBeGreaterThanOrEqual(name === CRACKLE_01 ? 3 : 55);
      expect(result.distributed.map((d) => msbFirst(d.ltk))).toContain(CRACKLE_LTK[name]);

      // Written and read back: the same SMP PDUs as the auditor decrypts.
      const bytes = linkLayerPcap(result.packets);
      const back = llRecords(bytes);
      expect(back).toHaveLength(llRecords(fixture(name)).length);
      const events = decode(back);
      // Only the PDUs that failed the MIC are still ciphertext.
      expect(events.filter((e) => e.type === 'encrypted-pdu')).toHaveLength(result.micFailures);
      const info = events.flatMap((e) =>
        e.type === 'smp' && e.decoded.ok && e.decoded.pdu.type === 'encryption-information'
          ? [msbFirst(e.decoded.pdu.ltk)]
          : [],
      );
      expect(info).toContain(CRACKLE_LTK[name]);
      const audited = auditTrace(fixture(name)).pairings[0]!.steps.filter(
        (s) => s.from !== 'both' && s.label !== 'LL_ENC_REQ',
      );
      const ours = smpOpcodes(events).map((s) => Number(s.split(':')[0]));
      expect(audited.map((s) => s.at).filter((at) => !ours.includes(at))).toEqual([]);
      // Decrypted packets: MIC removed (length - 4), flagged decrypted with the MIC checked and valid, CRC valid.
      const decrypted = result.packets.filter((p) => p.decrypted);
      expect(decrypted).toHaveLength(session!.decrypted);
      const original = llRecords(fixture(name));
      for (const p of decrypted) {
        const source = original.find(
          (r) => r.accessAddress === p.accessAddress && toHex(r.pdu) !== toHex(p.pdu),
        );
        expect(source).toBeDefined();
        expect(toHex(leCrc(p.pdu, crcInitOf(original)))).toBe(toHex(p.crc!));
      }
    },
  );

  it('crackle-01: the audit with the decrypted capture as input finds the distributed LTK with its real sender', () => {
    const result = decryptCapture(readTrace(fixture(CRACKLE_01)).records, {
      keys: [{ key: stkOf(CRACKLE_01), source: 'the STK' }],
    });
    const report = auditTrace(linkLayerPcap(result.packets));
    const step = report.pairings[0]!.steps.find((s) => s.label === 'Encryption Information');
    // Sent by the responder: the nonce's direction bit of the decrypted PDU, recorded as the PDU type.
    expect(step?.from).toBe('responder');
  });

  it('a wrong key decrypts nothing and says the MIC failed under it', () => {
    const result = decryptCapture(readTrace(fixture(CRACKLE_05)).records, {
      keys: [{ key: fromHex('00112233445566778899aabbccddeeff'), source: '--ltk #1' }],
    });
    expect(result.decrypted).toBe(0);
    expect(result.sessions[0]!.key).toBeUndefined();
    expect(result.sessions[0]!.note).toMatch(/MIC .* fails under each of the 1 keys tried/);
    expect(result.undecrypted).toBe(result.sessions[0]!.encrypted);
    expect(result.packets.some((p) => p.decrypted)).toBe(false);
  });
});

function crcInitOf(all: readonly LinkLayerRecord[]): number {
  const ind = all.find((r) => r.accessAddress === ADVERTISING && (r.pdu[0]! & 0x0f) === 0x05)!;
  return ind.pdu[18]! | (ind.pdu[19]! << 8) | (ind.pdu[20]! << 16);
}

const VALUES = {
  skdm: fromHex('1122334455667788'),
  skds: fromHex('99aabbccddeeff00'),
  ivm: fromHex('01020304'),
  ivs: fromHex('05060708'),
  irk: fromHex('0f0e0d0c0b0a09080706050403020100'),
};
const LTK = fromHex('2b7e151628aed2a6abf7158809cf4f3c');

describe('generated captures with known keys', () => {
  it('a Secure Connections pairing: the given LTK decrypts the key distribution, which the audit then reads', () => {
    const { frames, plaintexts } = scCapture(LTK, VALUES);
    const result = decryptCapture(records(frames), { keys: [{ key: LTK, source: '--ltk #1' }] });
    expect(result.sessions[0]).toMatchObject({ decrypted: 6, micFailures: 0, encrypted: 6 });
    expect(result.packets.filter((p) => p.decrypted).map((p) => toHex(p.pdu))).toEqual(
      plaintexts.map((p) => toHex(p)),
    );

    // The auditor given the LTK audits the key distribution; without it, it cannot.
    const audit = (ltks: Uint8Array[]) => {
      const auditor = new TraceAuditor({ ltks });
      auditor.push(records(frames));
      return auditor.finish().pairings[0]!;
    };
    const keyed = audit([fromHex('000102030405060708090a0b0c0d0e0f'), LTK]);
    expect(keyed.steps.filter((s) => s.label === 'Identity Information').map((s) => s.from)).toEqual([
      'responder',
      'initiator',
    ]);
    expect(keyed.verified.join(' ')).toContain('the LTK given #2 started encryption');
    const unkeyed = audit([]);
    expect(unkeyed.steps.some((s) => s.label === 'Identity Information')).toBe(false);
  });

  it('encryption with no pairing in the capture: the connection finding names the given key that starts it', () => {
    const { frames } = scCapture(LTK, VALUES);
    // Without the Pairing Request and Response (L2CAP channel 6, opcodes 1 and 2).
    const unpaired = frames.filter((f) => !(f.pdu[0] === 2 && f.pdu[4] === 0x06 && f.pdu[6]! <= 2));
    const finding = (ltks: Uint8Array[]) => {
      const auditor = new TraceAuditor({ ltks });
      auditor.push(records(unpaired));
      return auditor.finish().connectionFindings[0]!;
    };
    expect(finding([LTK]).message).toMatch(
      /the LTK given #1: the encrypted PDU at frame \d+ authenticates under it/,
    );
    expect(finding([fromHex('00'.repeat(16))]).message).toContain('none of the 1 LTKs given authenticates');
    expect(finding([]).message).toContain('which the capture cannot check');
  });

  it('re-encryption with the LTK the key distribution carried (encryption paused, LL_ENC_REQ with its EDIV and Rand)', () => {
    const aa = 0x71764129;
    const stk = fromHex('00112233445566778899aabbccddeeff');
    const ltk2 = fromHex('a1a2a3a4a5a6a7a8a9aaabacadaeafa0');
    const ediv = 0xbeef;
    const rand = fromHex('0102030405060708');
    const first = new Encryptor(stk, VALUES.skdm, VALUES.skds, VALUES.ivm, VALUES.ivs);
    const skdm2 = fromHex('8877665544332211');
    const second = new Encryptor(ltk2, skdm2, VALUES.skds, VALUES.ivs, VALUES.ivm);
    const att = smp(aa, [0x0a, 0x03, 0x00]);
    const frames: Frame[] = [
      connectInd(aa, 0xabcdef, fromHex('0a0b0c0d0e0f'), fromHex('010203040506')),
      encReq(aa, new Uint8Array(8), 0, VALUES.skdm, VALUES.ivm),
      encRsp(aa, VALUES.skds, VALUES.ivs),
      control(aa, 0x05),
      first.encrypt(control(aa, 0x06), 'central'),
      first.encrypt(control(aa, 0x06), 'peripheral'),
      first.encrypt(smp(aa, [0x06, ...ltk2]), 'peripheral'),
      first.encrypt(smp(aa, [0x07, ediv & 0xff, ediv >> 8, ...rand]), 'peripheral'),
      first.encrypt(control(aa, 0x0a), 'central'),
      first.encrypt(control(aa, 0x0b), 'peripheral'),
      control(aa, 0x0b),
      encReq(aa, rand, ediv, skdm2, VALUES.ivs),
      encRsp(aa, VALUES.skds, VALUES.ivm),
      control(aa, 0x05),
      second.encrypt(control(aa, 0x06), 'central'),
      second.encrypt(control(aa, 0x06), 'peripheral'),
      second.encrypt(att, 'central'),
    ];
    const result = decryptCapture(records(frames), { keys: [{ key: stk, source: 'the STK' }] });
    expect(result.sessions.map((s) => [s.key?.source, s.decrypted, s.micFailures])).toEqual([
      ['the STK', 6, 0],
      ['the LTK distributed at frame 7 (by the peripheral)', 3, 0],
    ]);
    expect(result.distributed).toMatchObject([{ ediv, rand }]);
    expect(toHex(result.packets.at(-1)!.pdu)).toBe(toHex(att.pdu));
    // Without the STK neither session is decrypted: the second key is only known from the first session.
    expect(decryptCapture(records(frames)).decrypted).toBe(0);
  });

  it('crackle-05 and a later connection encrypted with the LTK its key distribution carried', () => {
    const original = readTrace(fixture(CRACKLE_05)).records;
    const first = decryptCapture(original, { keys: [{ key: stkOf(CRACKLE_05), source: 'the STK' }] });
    const ltk = first.distributed.find((d) => msbFirst(d.ltk) === CRACKLE_LTK[CRACKLE_05])!;
    expect(ltk.ediv).toBeDefined();
    const aa = 0x5065aa01;
    const session = new Encryptor(ltk.ltk, VALUES.skdm, VALUES.skds, VALUES.ivm, VALUES.ivs);
    const att = smp(aa, [0x0a, 0x03, 0x00]);
    const later = records([
      connectInd(aa, 0x0badc0, fromHex('f43e7370f35c'), fromHex('a73f2cfb5b69')),
      encReq(aa, ltk.rand!, ltk.ediv!, VALUES.skdm, VALUES.ivm),
      encRsp(aa, VALUES.skds, VALUES.ivs),
      control(aa, 0x05),
      session.encrypt(control(aa, 0x06), 'central'),
      session.encrypt(control(aa, 0x06), 'peripheral'),
      session.encrypt(att, 'central'),
    ]).map((r) => ({ ...r, at: r.at + original.length }));
    const result = decryptCapture([...original, ...later], {
      keys: [{ key: stkOf(CRACKLE_05), source: 'the STK' }],
    });
    const second = result.sessions[1]!;
    expect(second.key?.source).toMatch(new RegExp(`^the LTK distributed at frame ${ltk.at} \\(#2, by the `));
    expect(second).toMatchObject({ decrypted: 3, micFailures: 0, ediv: ltk.ediv });
    expect(toHex(result.packets.at(-1)!.pdu)).toBe(toHex(att.pdu));
    // Without the first session's key, the second one is not found either.
    expect(decryptCapture([...original, ...later]).decrypted).toBe(0);
  });

  it('the first encrypted PDU received with bit errors: the key is found from the next one', () => {
    const { frames, plaintexts } = scCapture(LTK, VALUES);
    // Frame 7 is the first encrypted one (the central's LL_START_ENC_RSP).
    const damaged = frames.map((f, i) => {
      if (i !== 6) return f;
      const pdu = Uint8Array.from(f.pdu);
      pdu[2]! ^= 0x80;
      return { ...f, pdu };
    });
    const result = decryptCapture(records(damaged), { keys: [{ key: LTK, source: '--ltk #1' }] });
    expect(result.sessions[0]).toMatchObject({ decrypted: 5, encrypted: 6 });
    expect(result.packets.filter((p) => p.decrypted).map((p) => toHex(p.pdu))).toEqual(
      plaintexts.slice(1).map((p) => toHex(p)),
    );
    // With the wrong key, four PDUs are tried, then the session is left encrypted.
    const wrong = decryptCapture(records(damaged), {
      keys: [{ key: new Uint8Array(16), source: '--ltk #1' }],
    });
    expect(wrong.sessions[0]!.note).toBe(
      'the MIC of the first 4 encrypted PDUs fails under each of the 1 keys tried',
    );
  });

  it('an nRF Sniffer capture (272) whose sniffer lacked the key: decrypted by the senders its flags give', () => {
    const { frames, plaintexts, senders } = scCapture(LTK, VALUES);
    const bytes = pcapNordic(frames, senders, 6);
    expect(readTrace(bytes).format).toBe('pcap');
    const result = decryptCapture(readTrace(bytes).records, { keys: [{ key: LTK, source: '--ltk #1' }] });
    expect(result.sessions[0]).toMatchObject({ decrypted: 6, encrypted: 6 });
    const decrypted = result.packets.filter((p) => p.decrypted);
    expect(decrypted.map((p) => toHex(p.pdu))).toEqual(plaintexts.map((p) => toHex(p)));
    expect(decrypted.map((p) => p.sender)).toEqual(senders.slice(6));
    // Channel indices as RF channels (Vol 6 Part B 1.4.1): advertising 37 is RF channel 0, data 5 is RF channel 6.
    expect(result.packets.map((p) => p.rfChannel)).toEqual(
      frames.map((f) => (f.accessAddress === ADVERTISING ? 0 : 6)),
    );
    // The sniffer's records carry no CRC: it is computed from CRCInit, not flagged checked.
    expect(
      result.packets.every((p) => p.crc?.length === 3 && p.crcValid === (p.decrypted ? true : undefined)),
    ).toBe(true);
    // Given the key, the auditor reads the key distribution with the flags' senders.
    const auditor = new TraceAuditor({ ltks: [LTK] });
    auditor.push(readTrace(bytes).records);
    const steps = auditor
      .finish()
      .pairings[0]!.steps.filter((s) => s.label === 'Identity Address Information');
    expect(steps.map((s) => s.from)).toEqual(['responder', 'initiator']);
  });

  it('fast-check: random keys and plaintexts, sniffer-missed PDUs, corrupted MICs', () => {
    const aa = 0x4a2b3c1d;
    const pduArb = fc.record({
      central: fc.boolean(),
      body: fc.uint8Array({ minLength: 1, maxLength: 27 }),
      missed: fc.boolean(),
      corrupt: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.array(pduArb, { minLength: 1, maxLength: 12 }),
        (key, material, pdus) => {
          const [skdm, skds, ivm, ivs] = [
            material.subarray(0, 8),
            material.subarray(8, 16),
            material.subarray(16, 20),
            material.subarray(20, 24),
          ];
          const session = new Encryptor(key, skdm, skds, ivm, ivs);
          const frames: Frame[] = [
            connectInd(aa, 0x00f00d, fromHex('0a0b0c0d0e0f'), fromHex('010203040506')),
            encReq(aa, new Uint8Array(8), 0, skdm, ivm),
            encRsp(aa, skds, ivs),
            control(aa, 0x05),
          ];
          // The first PDU is caught intact, each side's: the key is told by it.
          const plan = [
            { central: true, body: Uint8Array.of(0x06), missed: false, corrupt: false },
            ...pdus.map((p, i) => ({ ...p, missed: p.missed && i % 3 === 0 })),
          ];
          const expected: { plain: string | undefined }[] = [];
          for (const p of plan) {
            const frame = session.encrypt(
              { accessAddress: aa, pdu: Uint8Array.of(0x02, p.body.length, ...p.body) },
              p.central ? 'central' : 'peripheral',
            );
            if (p.missed) continue;
            const pdu = Uint8Array.from(frame.pdu);
            if (p.corrupt) pdu[pdu.length - 1]! ^= 0x01;
            frames.push({ accessAddress: aa, pdu });
            expected.push({
              plain: p.corrupt ? undefined : toHex(Uint8Array.of(0x02, p.body.length, ...p.body)),
            });
          }
          const result = decryptCapture(records(frames), { keys: [{ key, source: 'k' }] });
          const encrypted = result.packets.slice(4);
          expect(encrypted.map((p) => (p.decrypted ? toHex(p.pdu) : undefined))).toEqual(
            expected.map((e) => e.plain),
          );
          expect(result.micFailures).toBe(expected.filter((e) => e.plain === undefined).length);
          expect(encrypted.filter((p) => p.micFailed).length).toBe(result.micFailures);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the pseudo-header written', () => {
  it('flags: reference access address valid; decrypted with MIC checked and valid; CRC checked only when known', () => {
    const bytes = linkLayerPcap([
      {
        accessAddress: ADVERTISING,
        pdu: Uint8Array.of(0x00, 0x00),
        crc: Uint8Array.of(1, 2, 3),
        crcValid: false,
      },
      {
        accessAddress: 0x11223344,
        pdu: Uint8Array.of(0x03, 0x01, 0x06),
        decrypted: true,
        sender: 'peripheral',
      },
      { accessAddress: 0x11223344, pdu: Uint8Array.of(0x02, 0x05, 1, 2, 3, 4, 5), micFailed: true },
    ]);
    const view = Buffer.from(bytes);
    expect(view.readUInt32LE(20)).toBe(256);
    const flags: number[] = [];
    for (let at = 24; at < view.length; at += 16 + view.readUInt32LE(at + 8)) {
      flags.push(view.readUInt16LE(at + 16 + 8));
      expect(view.readUInt32LE(at + 16 + 4)).toBe(view.readUInt32LE(at + 16 + 10));
    }
    expect(flags).toEqual([
      LePhdrFlag.ReferenceAccessAddressValid | LePhdrFlag.CrcChecked,
      LePhdrFlag.ReferenceAccessAddressValid |
        LePhdrFlag.Decrypted |
        LePhdrFlag.MicChecked |
        LePhdrFlag.MicValid |
        (3 << 7),
      LePhdrFlag.ReferenceAccessAddressValid | LePhdrFlag.MicChecked,
    ]);
    const back = llRecords(bytes);
    expect(back.map((r) => [r.sender, r.ciphertext])).toEqual([
      [undefined, undefined],
      ['peripheral', false],
      [undefined, undefined],
    ]);
  });
});

const tshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
if (!tshark)
  console.warn('tshark is not installed (Debian package tshark): skipping the decrypted-capture tshark test');

describe.skipIf(!tshark)('tshark reads the decrypted captures', () => {
  const fields = (file: string, filter: string, ...names: string[]) =>
    execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...names.flatMap((n) => ['-e', n])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((line) => line.trim() !== '');

  it.each([CRACKLE_01, CRACKLE_05])(
    '%s: Encryption Information with the LTK, no CRC error, every frame',
    (name) => {
      const result = decryptCapture(readTrace(fixture(name)).records, {
        keys: [{ key: stkOf(name), source: 'the STK' }],
      });
      const file = join(dir, `${name}.decrypted.pcap`);
      writeFileSync(file, linkLayerPcap(result.packets));
      const ltks = fields(file, 'btsmp.opcode == 0x06', 'btsmp.long_term_key');
      // tshark prints the LTK in wire order.
      expect(ltks).toContain(toHex(Uint8Array.from(fromHex(CRACKLE_LTK[name]!)).reverse()));
      expect(fields(file, 'btle.crc.incorrect', 'frame.number')).toHaveLength(
        result.packets.filter((p) => p.crcValid === false).length,
      );
      expect(fields(file, 'btle_rf.flags.decrypted == 1', 'frame.number')).toHaveLength(result.decrypted);
      expect(fields(file, 'frame', 'frame.number')).toHaveLength(result.packets.length);
      // The SMP PDUs in the frames our reader finds them in.
      const ours = smpOpcodes(decode(llRecords(linkLayerPcap(result.packets)))).map((s) =>
        s.replace(/:(\d+)$/, (_, op) => `\t0x${Number(op).toString(16).padStart(2, '0')}`),
      );
      expect(fields(file, 'btsmp', 'frame.number', 'btsmp.opcode')).toEqual(ours);
    },
  );

  it('a generated Secure Connections capture decrypted with the given LTK: Identity Information to tshark', () => {
    const { frames } = scCapture(LTK, VALUES);
    const result = decryptCapture(records(frames), { keys: [{ key: LTK, source: '--ltk #1' }] });
    const file = join(dir, 'sc.decrypted.pcap');
    writeFileSync(file, linkLayerPcap(result.packets));
    expect(fields(file, 'btsmp.opcode == 0x08', 'btsmp.id_resolving_key')).toEqual([
      toHex(VALUES.irk),
      toHex(Uint8Array.from(VALUES.irk).reverse()),
    ]);
    expect(fields(file, 'btle.crc.incorrect', 'frame.number')).toEqual([]);
  });
});
