/**
 * `ble-smp audit FILE --decrypt OUT.pcap [--ltk HEX]... [--bonds PATH]`:
 * the keys given on the command line and in a bond store, and the decrypted
 * capture written as link type 256 (docs/audit.md, Decryption).
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../../host/atomic-file.js';
import { importBlueZ } from '../../host/bluez/storage.js';
import { decodeBondFile, printAddress } from '../../host/bond-codec.js';
import type { Bond } from '../../host/bond-store.js';
import type { AuditReport } from '../../trace/audit/audit.js';
import { type CandidateKey, decryptCapture } from '../../trace/ll-decrypt-capture.js';
import { linkLayerPcap } from '../../trace/ll-pcap-writer.js';
import type { LinkLayerRecord } from '../../trace/model.js';
import type { CommandIo } from '../io.js';

/**
 * An LTK as `--ltk` takes it: 32 hex digits, most significant octet first (as
 * crackle prints it and takes it with -l; colons or spaces between octets are
 * allowed); returned in wire order, least significant octet first; throws
 * an Error with a one-line message for anything else.
 * @example
 * ```ts
 * parseLtk('7f62c053f104a5bbe68b1d896a2ed49c'); // Uint8Array [0x9c, 0xd4, ..., 0x7f]
 * ```
 */
export function parseLtk(text: string): Uint8Array {
  const digits = text.replace(/^0x/i, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(digits))
    throw new Error(
      `--ltk ${JSON.stringify(text)}: an LTK is 32 hex digits (16 octets, most significant first, as crackle prints it)`,
    );
  return Uint8Array.from(Buffer.from(digits, 'hex')).reverse();
}

/** BlueZ's name of an adapter or device directory: the address, most significant octet first. */
const ADDRESS_NAME = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/**
 * The bonds at `path`: a ble-smp bond store file, or BlueZ's storage (a
 * directory such as /var/lib/bluetooth with one adapter, or one adapter's
 * directory).
 */
function readBonds(path: string): readonly Bond[] {
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch (error) {
    throw new Error(`cannot read the bond store ${path}: ${(error as Error).message}`);
  }
  if (directory) {
    const name = basename(path);
    if (!ADDRESS_NAME.test(name)) return importBlueZ(path);
    return importBlueZ(
      dirname(path),
      Uint8Array.from(Buffer.from(name.replaceAll(':', ''), 'hex')).reverse(),
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the bond store ${path}: ${(error as Error).message}`);
  }
  return decodeBondFile(text, path).bonds;
}

/**
 * The LTKs of a ble-smp bond store file, or of BlueZ's storage (a directory:
 * /var/lib/bluetooth with one adapter, or one adapter's directory), each with
 * its EDIV and Rand; throws an Error with a one-line message when they cannot
 * be read or checked.
 * @example
 * ```ts
 * const keys = bondKeys('/home/pi/.local/state/ble-smp/bonds/AA-BB-CC-DD-EE-FF-public.json');
 * ```
 */
export function bondKeys(path: string): CandidateKey[] {
  const keys: CandidateKey[] = [];
  for (const bond of readBonds(path)) {
    const peer = printAddress(bond.peer.address);
    for (const [which, key] of [
      ['its LTK', bond.peerLtk],
      ['our LTK', bond.localLtk],
    ] as const) {
      if (!key) continue;
      keys.push({ key: key.ltk, ediv: key.ediv, rand: key.rand, source: `the bond with ${peer} (${which})` });
    }
  }
  return keys;
}

/**
 * Decrypts the link-layer `records` with the STKs of `report` and the `given`
 * keys, writes them to `out` (mode 0600, atomically) and says on standard
 * error what was decrypted; resolves to 0, or 2 when nothing could be written.
 * @example
 * ```ts
 * const status = writeDecrypted(records, report, [{ key: ltk, source: '--ltk #1' }], 'out.pcap', io);
 * ```
 */
export function writeDecrypted(
  records: readonly LinkLayerRecord[],
  report: AuditReport,
  given: readonly CandidateKey[],
  out: string,
  io: CommandIo,
): number {
  const stks: CandidateKey[] = report.pairings.flatMap((pairing) =>
    pairing.stk
      ? [
          {
            key: Buffer.from(pairing.stk, 'hex'),
            ediv: 0,
            rand: new Uint8Array(8),
            source: `the STK of pairing ${pairing.index}`,
          },
        ]
      : [],
  );
  const result = decryptCapture(records, { keys: [...stks, ...given] });
  try {
    writeFileAtomic(out, linkLayerPcap(result.packets));
  } catch (error) {
    io.err(`ble-smp audit: cannot write ${out}: ${(error as Error).message}`);
    return 2;
  }
  const encrypted = result.sessions.reduce((n, s) => n + s.encrypted, 0);
  if (encrypted === 0) {
    io.err(`no encrypted PDU in the capture: ${out} holds its link-layer packets as captured`);
    return 0;
  }
  io.err(
    `decrypted ${result.decrypted} of ${encrypted} encrypted PDUs into ${out}${result.micFailures ? `; ${result.micFailures} failed the MIC under their session's key` : ''}${result.undecrypted ? `; ${result.undecrypted} left encrypted (no key known)` : ''}`,
  );
  for (const s of result.sessions) {
    const what = s.key
      ? `${s.decrypted} decrypted with ${s.key.source}${s.micFailures ? `, ${s.micFailures} failed the MIC${s.badCrc ? ` (${s.badCrc} of them with a bad CRC too: received with bit errors)` : ''}` : ''}`
      : `${s.encrypted} left encrypted: ${s.note ?? 'no key'}`;
    io.err(`  ${s.link}, encryption at frame ${s.at}: ${what}`);
  }
  return 0;
}
