/** `ble-smp audit FILE --decrypt OUT.pcap [--ltk HEX]... [--bonds PATH]`. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { exportBlueZ } from '../../src/host/bluez/storage.js';
import { encodeBondFile } from '../../src/host/bond-codec.js';
import type { Bond } from '../../src/host/bond-store.js';
import { LinkLayerDecoder } from '../../src/trace/ll-decoder.js';
import type { LinkLayerRecord } from '../../src/trace/model.js';
import { readTrace } from '../../src/trace/readers/index.js';
import { pcap251, scCapture } from '../trace/ll-capture.js';

const traces = resolve(import.meta.dirname, '../fixtures/traces');
const CRACKLE_05 = join(traces, 'crackle-05-legacy-passkey-numeric-pin.pcap');
const CRACKLE_04 = join(traces, 'crackle-04-le-secure-connections.pcapng');
const MAILING = join(traces, 'mailing-list-2019-legacy-jw-keydist-violation.btmon.txt');
/** The LTK crackle prints for its test 05_numeric_pin (github.com/mikeryan/crackle, tests/05_numeric_pin/out). */
const CRACKLE_05_LTK = '9c0469262e521d1d40e095e7c542c5ec';

const dir = mkdtempSync(join(tmpdir(), 'ble-smp-audit-decrypt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(['audit', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
/** The SMP PDUs and leftover ciphertext of a written capture, as our reader and decoder see them. */
function readBack(file: string) {
  const decoder = new LinkLayerDecoder();
  const events = readTrace(readFileSync(file)).records.flatMap((r) =>
    r.kind === 'll' ? decoder.push(r as LinkLayerRecord) : [],
  );
  return {
    ltks: events.flatMap((e) =>
      e.type === 'smp' && e.decoded.ok && e.decoded.pdu.type === 'encryption-information'
        ? [hex(Uint8Array.from(e.decoded.pdu.ltk).reverse())]
        : [],
    ),
    irks: events.flatMap((e) =>
      e.type === 'smp' && e.decoded.ok && e.decoded.pdu.type === 'identity-information'
        ? [hex(e.decoded.pdu.irk)]
        : [],
    ),
    encrypted: events.filter((e) => e.type === 'encrypted-pdu').length,
  };
}

const LTK = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
const VALUES = {
  skdm: fromHex('1122334455667788'),
  skds: fromHex('99aabbccddeeff00'),
  ivm: fromHex('01020304'),
  ivs: fromHex('05060708'),
  irk: fromHex('0f0e0d0c0b0a09080706050403020100'),
};
/** A generated SC pairing encrypted with LTK (see test/trace/ll-capture.ts). */
function scFile(): string {
  const file = join(dir, 'sc.pcap');
  writeFileSync(file, pcap251(scCapture(LTK, VALUES).frames));
  return file;
}
/** LTK as --ltk takes it: most significant octet first. */
const ltkArg = (ltk: Uint8Array) => hex(Uint8Array.from(ltk).reverse());

describe('ble-smp audit --decrypt', () => {
  it('a legacy passkey capture: decrypted with the recovered STK, mode 0600, the LTK crackle finds', async () => {
    const out = join(dir, 'c05.pcap');
    const { status, err } = await run(CRACKLE_05, '--decrypt', out);
    expect(status).toBe(1);
    expect(err).toMatch(/^decrypted (\d+) of 57 encrypted PDUs into .*c05\.pcap; 1 failed the MIC/);
    // The one that fails the MIC (frame 207) has a bad CRC too: received damaged, retransmitted as frame 208.
    expect(err).toContain(
      'encryption at frame 158: 56 decrypted with the STK of pairing 1, 1 failed the MIC (1 of them with a bad CRC too: received with bit errors)',
    );
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const back = readBack(out);
    expect(back.ltks).toContain(CRACKLE_05_LTK);
    expect(back.encrypted).toBe(1);
    // Written through a temporary file, renamed: nothing left beside it.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--ltk: a Secure Connections capture decrypted with the given key (most significant octet first)', async () => {
    const out = join(dir, 'sc-ltk.pcap');
    const { status, err } = await run(
      scFile(),
      '--decrypt',
      out,
      '--ltk',
      '00'.repeat(16),
      '--ltk',
      ltkArg(LTK),
    );
    expect(status).not.toBe(2);
    expect(err).toContain('decrypted 6 of 6 encrypted PDUs');
    expect(err).toContain('6 decrypted with --ltk #2');
    expect(readBack(out).irks).toEqual([hex(VALUES.irk), hex(Uint8Array.from(VALUES.irk).reverse())]);
    // The same key in wire order is the wrong key.
    const wrong = await run(scFile(), '--decrypt', join(dir, 'sc-wrong.pcap'), '--ltk', hex(LTK));
    expect(wrong.err).toContain('decrypted 0 of 6 encrypted PDUs');
    expect(wrong.err).toContain('fails under each of the 1 keys tried');
  });

  it('--ltk on crackle-04 (its LTK is not known): nothing decrypted, and it says the MIC failed', async () => {
    const { status, err } = await run(CRACKLE_04, '--decrypt', join(dir, 'c04.pcap'), '--ltk', ltkArg(LTK));
    expect(status).toBe(0);
    expect(err).toMatch(/^decrypted 0 of (\d+) encrypted PDUs .*; \1 left encrypted \(no key known\)/);
    const none = await run(CRACKLE_04, '--decrypt', join(dir, 'c04-none.pcap'));
    expect(none.err).toContain('no key to try (no STK recovered, no LTK given or distributed)');
    // A PDU received with bit errors fails under the right key too: four are tried before giving up.
    expect(err).toContain('the MIC of the first 4 encrypted PDUs fails under each of the 1 keys tried');
  });

  it('--bonds: the LTK of a bond store, matched by EDIV and Rand', async () => {
    const bond: Bond = {
      peer: { address: fromHex('1d4382422316'), type: 1 },
      peerLtk: { ltk: LTK, ediv: 0, rand: new Uint8Array(8) },
      secureConnections: true,
      authenticated: false,
      keySize: 16,
      localRole: 'central',
      createdAt: Date.UTC(2026, 0, 1),
    };
    const store = join(dir, 'bonds.json');
    writeFileSync(
      store,
      encodeBondFile({
        local: { address: fromHex('f43e7370f35c'), type: 0 },
        irk: new Uint8Array(16),
        bonds: [bond],
      }),
    );
    const out = join(dir, 'sc-bonds.pcap');
    const { err } = await run(scFile(), '--decrypt', out, '--bonds', store);
    expect(err).toContain('6 decrypted with the bond with 16:23:42:82:43:1D (its LTK)');
    expect(readBack(out).encrypted).toBe(0);

    // The same bond in BlueZ's storage: /var/lib/bluetooth's layout, or one adapter's directory.
    const bluez = join(dir, 'bluez');
    exportBlueZ([{ ...bond, peer: { address: bond.peer.address, type: 0 } }], fromHex('f43e7370f35c'), bluez);
    for (const path of [bluez, join(bluez, '5C:F3:70:73:3E:F4')]) {
      const fromBlueZ = await run(scFile(), '--decrypt', join(dir, 'sc-bluez.pcap'), '--bonds', path);
      expect(fromBlueZ.err).toMatch(/6 decrypted with the bond with 16:23:42:82:43:1D \((its|our) LTK\)/);
    }
    // A wrong key in the store: nothing decrypted.
    writeFileSync(
      store,
      encodeBondFile({
        local: { address: fromHex('f43e7370f35c'), type: 0 },
        irk: new Uint8Array(16),
        bonds: [{ ...bond, peerLtk: { ltk: new Uint8Array(16).fill(7), ediv: 0, rand: new Uint8Array(8) } }],
      }),
    );
    expect((await run(scFile(), '--decrypt', out, '--bonds', store)).err).toContain('decrypted 0 of 6');
  });

  it('errors: one line and exit 2', async () => {
    const badHex = await run(scFile(), '--decrypt', join(dir, 'x.pcap'), '--ltk', '0123');
    expect(badHex.status).toBe(2);
    expect(badHex.err.split('\n')).toHaveLength(1);
    expect(badHex.err).toContain('an LTK is 32 hex digits');

    const missing = await run(scFile(), '--decrypt', join(dir, 'x.pcap'), '--bonds', join(dir, 'none.json'));
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/^ble-smp audit: cannot read the bond store .*none\.json: ENOENT/);
    expect(missing.err.split('\n')).toHaveLength(1);

    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{ not json');
    const bad = await run(scFile(), '--decrypt', join(dir, 'x.pcap'), '--bonds', garbage);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^ble-smp audit: bond store .*garbage\.json: not valid JSON/);

    // A capture with no encryption: written as captured, and said so.
    const clear = join(dir, 'clear.pcap');
    writeFileSync(clear, pcap251(scCapture(LTK, VALUES).frames.slice(0, 5)));
    const plain = await run(clear, '--decrypt', join(dir, 'clear-out.pcap'));
    expect(plain.err).toBe(
      `no encrypted PDU in the capture: ${join(dir, 'clear-out.pcap')} holds its link-layer packets as captured`,
    );
    expect(readTrace(readFileSync(join(dir, 'clear-out.pcap'))).records).toHaveLength(5);

    const hci = await run(MAILING, '--decrypt', join(dir, 'hci.pcap'));
    expect(hci.status).toBe(2);
    expect(hci.err).toMatch(/holds no link-layer packets .*only a sniffer capture carries the ciphertext/);
    expect(readdirSync(dir)).not.toContain('hci.pcap');

    const live = await run('-', '--decrypt', join(dir, 'x.pcap'));
    expect(live.status).toBe(2);
    expect(live.err).toContain('--decrypt needs an output file and a capture file');

    const unwritable = await run(scFile(), '--decrypt', join(dir, 'no-such-dir', 'x.pcap'));
    expect(unwritable.status).toBe(2);
    expect(unwritable.err).toMatch(/^ble-smp audit: cannot write .*x\.pcap: ENOENT/);
  });
});
