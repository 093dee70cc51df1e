import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTSNOOP_EPOCH_OFFSET_US, BtsnoopWriter, btsnoopHeader } from '../../src/trace/btsnoop-writer.js';

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)));

/** A writer on a buffer: returns the writer and the octets written so far. */
function buffered() {
  const chunks: Uint8Array[] = [];
  let closed = 0;
  const writer = new BtsnoopWriter({
    write: (chunk) => chunks.push(chunk),
    close: () => {
      closed += 1;
    },
  });
  return { writer, octets: () => concat(chunks), closed: () => closed };
}

// 2026-01-02T03:04:05.678Z, in ms since the Unix epoch.
const TIME_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const TIME_US = BigInt(TIME_MS) * 1000n + BTSNOOP_EPOCH_OFFSET_US;

describe('BtsnoopWriter', () => {
  it('writes the 16-octet header: "btsnoop\\0", version 1, datalink 1002, big-endian', () => {
    const expected = Buffer.from([
      0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0xea,
    ]);
    expect(Buffer.from(btsnoopHeader())).toEqual(expected);
    const { octets } = buffered();
    expect(octets()).toEqual(expected);
  });

  it('records a command sent: flags 2, lengths with the H4 indicator, µs since 0 AD', () => {
    const { writer, octets } = buffered();
    writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }, TIME_MS); // HCI_Reset
    const record = octets().subarray(16);
    expect(record.length).toBe(24 + 4);
    expect(record.readUInt32BE(0)).toBe(4); // original length
    expect(record.readUInt32BE(4)).toBe(4); // included length
    expect(record.readUInt32BE(8)).toBe(0b10); // sent, command
    expect(record.readUInt32BE(12)).toBe(0); // drops
    expect(record.readBigUInt64BE(16)).toBe(TIME_US);
    expect(record.readBigUInt64BE(16)).toBe(0x00e3_2512_0586_cbb0n);
    expect([...record.subarray(24)]).toEqual([0x01, 0x03, 0x0c, 0x00]);
  });

  it('records an event received (flags 3) and ACL data both ways (flags 0 and 1)', () => {
    const { writer, octets } = buffered();
    const event = Uint8Array.of(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00); // Command Complete, Reset
    writer.record('rx', { type: 'event', data: event }, TIME_MS + 1.5);
    const acl = Uint8Array.of(0x40, 0x00, 0x05, 0x00, 0x01, 0x00, 0x06, 0x00, 0x05);
    writer.record('tx', { type: 'acl', data: acl }, TIME_MS);
    writer.record('rx', { type: 'acl', data: acl }, TIME_MS);
    const all = octets();
    const first = all.subarray(16, 16 + 24 + 7);
    expect(first.readUInt32BE(0)).toBe(7);
    expect(first.readUInt32BE(4)).toBe(7);
    expect(first.readUInt32BE(8)).toBe(0b11); // received, event
    expect(first.readUInt32BE(12)).toBe(0);
    expect(first.readBigUInt64BE(16)).toBe(TIME_US + 1500n);
    expect([...first.subarray(24)]).toEqual([0x04, ...event]);
    const second = all.subarray(16 + 31, 16 + 31 + 24 + 10);
    expect(second.readUInt32BE(8)).toBe(0b00);
    expect(second[24]).toBe(0x02);
    const third = all.subarray(16 + 31 + 34);
    expect(third.length).toBe(34);
    expect(third.readUInt32BE(8)).toBe(0b01);
  });

  it('defaults the timestamp to now', () => {
    const { writer, octets } = buffered();
    const before = BigInt(Date.now()) * 1000n + BTSNOOP_EPOCH_OFFSET_US;
    writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
    const after = BigInt(Date.now()) * 1000n + BTSNOOP_EPOCH_OFFSET_US;
    const stamp = octets().readBigUInt64BE(16 + 16);
    expect(stamp >= before && stamp <= after).toBe(true);
  });

  it('closes the sink once and ignores records after close', async () => {
    const { writer, octets, closed } = buffered();
    await writer.close();
    await writer.close();
    writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
    expect(closed()).toBe(1);
    expect(octets().length).toBe(16);
  });

  it('writes a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btsnoop-'));
    try {
      const path = join(dir, 'trace.btsnoop');
      const writer = new BtsnoopWriter(path);
      writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }, TIME_MS);
      await writer.close();
      const file = readFileSync(path);
      expect(file.length).toBe(16 + 28);
      expect(file.subarray(0, 16)).toEqual(Buffer.from(btsnoopHeader()));
      expect(file.readBigUInt64BE(32)).toBe(TIME_US);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
