/**
 * Issue 16: a real controller's start-up, replayed through Host.open. The
 * answers come from captures in test/fixtures/controllers/ (read by the
 * fixture parser, not from our profiles or our virtual controller): the Intel
 * 5.1 btmon start-up, and the CSR8510 A10's H4 hex dumps (Bluetooth 4.0, LE
 * sharing the BR/EDR buffers). The host must find what each capture shows,
 * and send nothing the capture's command list lacks.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_ROW } from '../../src/hci/command-rows.js';
import type { HciCommand } from '../../src/hci/commands.js';
import { HciErrorCode } from '../../src/hci/constants.js';
import type { HciEvent } from '../../src/hci/events.js';
import { hasCommand } from '../../src/hci/supported-commands.js';
import { Host } from '../../src/host/host.js';
import { type Parsed, parseFixture } from '../transport/profiles/startup-parser.js';
import { complete, defaultAnswer, FakeController } from './fake-controller.js';

const intel = parseFixture('test/fixtures/controllers/intel-5.1.btmon.txt');
const csr = parseFixture('test/fixtures/controllers/csr8510.btmon.txt');

/** A capture's Supported Commands bitmap, by the positions it listed (btmon's Octet N - Bit M, or the hex answer's bits). */
function bitmapOf(parsed: Parsed): Uint8Array {
  const bitmap = new Uint8Array(64);
  for (const c of parsed.commands ?? []) bitmap[c.octet]! |= 1 << c.bit;
  return bitmap;
}
/** Answers from the capture for what it shows; the host's other commands (not in the excerpt) succeed. */
function answerFromCapture(command: HciCommand, address: Uint8Array, capture: Parsed = intel): HciEvent[] {
  const listedBitmap = bitmapOf(capture);
  // What the capture does not show is answered as the fake controller would.
  const shown: Partial<Record<HciCommand['name'], unknown>> = {
    'read-local-version-information': capture.hciVersion,
    'read-local-supported-commands': capture.commands,
    'le-read-local-supported-features': capture.leFeatures,
    'le-read-buffer-size': capture.le,
    'read-buffer-size': capture.acl,
    'le-read-filter-accept-list-size': capture.acceptListSize,
    'le-read-resolving-list-size': capture.resolvingListSize,
    'le-read-maximum-data-length': capture.maxData,
  };
  if (shown[command.name] === undefined) return defaultAnswer(command, address);
  switch (command.name) {
    case 'read-local-version-information':
      return [
        complete(command.name, {
          kind: 'read-local-version-information',
          status: 0,
          hciVersion: capture.hciVersion!,
          hciSubversion: capture.hciRevision!,
          lmpVersion: capture.lmpVersion!,
          lmpSubversion: capture.lmpSubversion!,
          companyIdentifier: capture.manufacturer!,
        }),
      ];
    case 'read-local-supported-commands':
      return [
        complete(command.name, {
          kind: 'read-local-supported-commands',
          status: 0,
          supportedCommands: Uint8Array.from(listedBitmap),
        }),
      ];
    case 'le-read-local-supported-features':
      return [
        complete(command.name, {
          kind: 'le-read-local-supported-features',
          status: 0,
          leFeatures: capture.leFeatures!,
        }),
      ];
    case 'le-read-buffer-size':
      return [
        complete(command.name, {
          kind: 'le-read-buffer-size',
          status: 0,
          leAclDataPacketLength: capture.le!.size,
          totalNumLeAclDataPackets: capture.le!.count,
        }),
      ];
    case 'read-buffer-size':
      // The SCO pair is the CSR capture's (64:8); the host reads only the ACL pair.
      return [
        complete(command.name, {
          kind: 'read-buffer-size',
          status: 0,
          aclDataPacketLength: capture.acl!.size,
          syncDataPacketLength: 64,
          totalNumAclDataPackets: capture.acl!.count,
          totalNumSyncDataPackets: 8,
        }),
      ];
    case 'le-read-filter-accept-list-size':
      return [complete(command.name, { kind: 'list-size', status: 0, size: capture.acceptListSize! })];
    case 'le-read-resolving-list-size':
      return [complete(command.name, { kind: 'list-size', status: 0, size: capture.resolvingListSize! })];
    case 'le-read-maximum-data-length':
      // The times (17040 µs) are the capture's too; the host reads only the octets.
      return [
        complete(command.name, {
          kind: 'le-read-maximum-data-length',
          status: 0,
          supportedMaxTxOctets: capture.maxData!.tx,
          supportedMaxTxTime: 17040,
          supportedMaxRxOctets: capture.maxData!.rx,
          supportedMaxRxTime: 17040,
        }),
      ];
    default:
      return defaultAnswer(command, address);
  }
}

/**
 * Opens a host on a controller answering from the capture, runs `check`, and
 * asserts the start-up order and that nothing outside the capture's list was sent.
 */
async function replay(from: Parsed, check: (host: Host, fake: FakeController) => void): Promise<void> {
  const listed = bitmapOf(from);
  const fake: FakeController = new FakeController(undefined, (command) =>
    answerFromCapture(command, fake.address, from),
  );
  const host = await Host.open(fake);
  try {
    expect([...host.controller.supportedCommands!]).toEqual([...listed]);
    check(host, fake);
    // Reset and the two reads that say what is listed go first; everything after is in the capture's list.
    expect(fake.commandNames.slice(0, 3)).toEqual([
      'reset',
      'read-local-version-information',
      'read-local-supported-commands',
    ]);
    const unlisted = fake.commands.slice(3).filter((c) => !hasCommand(listed, COMMAND_ROW[c.name]));
    expect(unlisted.map((c) => c.name)).toEqual([]);
  } finally {
    await host.close();
  }
}

describe('the Intel 5.1 capture replayed through Host.open', () => {
  it('the capture has what the replay needs', () => {
    expect(intel.commands?.length).toBe(215);
    expect(intel.le).toEqual({ size: 251, count: 3 });
    expect(intel.maxData).toEqual({ tx: 251, rx: 251 });
  });

  it('the host finds what the capture shows, and sends only what it lists', async () => {
    await replay(intel, (host, fake) => {
      const info = host.controller;
      expect(info.version).toEqual({
        hci: 0x0a,
        hciSubversion: intel.hciRevision,
        lmp: 0x0a,
        lmpSubversion: intel.lmpSubversion,
        manufacturer: 2,
      });
      expect([...info.leFeatures]).toEqual([...intel.leFeatures!]);
      // LE has its own buffers here (251 x 3): Read Buffer Size is not needed and not sent.
      expect(info.aclBuffers).toEqual({ size: 251, count: 3, shared: false });
      expect(host.buffers).toEqual({ size: 251, count: 3 });
      expect(fake.commandNames).not.toContain('read-buffer-size');
      expect([info.acceptListSize, info.resolvingListSize]).toEqual([25, 25]);
      expect(info.maxDataLength).toEqual({ txOctets: 251, rxOctets: 251 });
    });
  });

  it('with Read Local Supported Commands refused, the same capture gets every command tried', async () => {
    const fake: FakeController = new FakeController(undefined, (command) =>
      command.name === 'read-local-supported-commands'
        ? [complete(command.name, { kind: 'status', status: HciErrorCode.UnknownHciCommand })]
        : answerFromCapture(command, fake.address),
    );
    const host = await Host.open(fake);
    try {
      expect(host.controller.supportedCommands).toBeNull();
      // Without a list the host does not ask for the list sizes or the data length (most 4.x lack them).
      expect(fake.commandNames).not.toContain('le-read-filter-accept-list-size');
      expect(host.buffers).toEqual({ size: 251, count: 3 });
    } finally {
      await host.close();
    }
  });
});

describe('the CSR8510 A10 capture replayed through Host.open (Bluetooth 4.0, LE on the BR/EDR buffers)', () => {
  it('the capture has what the replay needs', () => {
    expect(csr.commands?.length).toBe(170);
    expect(csr.le).toEqual({ size: 0, count: 0 });
    expect(csr.acl).toEqual({ size: 310, count: 10 });
    expect(csr.hciVersion).toBe(0x06);
  });

  it('the host reads the shared buffers, and sends only what the 4.0 list has', async () => {
    await replay(csr, (host, fake) => {
      const info = host.controller;
      expect(info.version).toEqual({
        hci: 0x06,
        hciSubversion: 0x22bb,
        lmp: 0x06,
        lmpSubversion: 0x22bb,
        manufacturer: 10,
      });
      expect([...info.leFeatures]).toEqual([0x01, 0, 0, 0, 0, 0, 0, 0]);
      // LE Read Buffer Size gave 0: LE data goes through the BR/EDR buffers, read with Read Buffer Size.
      expect(fake.commandNames).toContain('read-buffer-size');
      expect(info.aclBuffers).toEqual({ size: 310, count: 10, shared: true });
      expect(host.buffers).toEqual({ size: 310, count: 10 });
      expect(info.acceptListSize).toBe(25);
      // 4.0: no resolving list and no data length to ask for.
      expect(fake.commandNames).not.toContain('le-read-resolving-list-size');
      expect(fake.commandNames).not.toContain('le-read-maximum-data-length');
    });
  });
});

describe('the Pi 3B / Zero W capture replayed through Host.open (its Bluetooth 4.1 command list)', () => {
  const pi3b = parseFixture('test/fixtures/controllers/pi3b.btmon.txt');

  it('the capture lists 198 commands, the host sends none outside them', async () => {
    expect(pi3b.commands).toHaveLength(198);
    await replay(pi3b, (host, fake) => {
      expect(host.controller.version).toMatchObject({ hci: 0x07, hciSubversion: 0x1fc, manufacturer: 15 });
      // 4.1: no resolving list, no data length, no Set Event Mask Page 2 to send.
      for (const name of ['le-read-resolving-list-size', 'le-read-maximum-data-length'] as const) {
        expect(fake.commandNames).not.toContain(name);
      }
    });
  });
});
