/**
 * Issue 16: a real controller's start-up, replayed through Host.open. The
 * answers come from the Intel 5.1 btmon capture in
 * test/fixtures/controllers/intel-5.1.btmon.txt (read by the fixture parser,
 * not from our profile or our virtual controller): the host must find what
 * the capture shows, and send nothing the capture's command list lacks.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_ROW } from '../../src/hci/command-rows.js';
import type { HciCommand } from '../../src/hci/commands.js';
import { HciErrorCode } from '../../src/hci/constants.js';
import type { HciEvent } from '../../src/hci/events.js';
import { hasCommand } from '../../src/hci/supported-commands.js';
import { Host } from '../../src/host/host.js';
import { parseFixture } from '../transport/profiles/startup-parser.js';
import { complete, defaultAnswer, FakeController } from './fake-controller.js';

const capture = parseFixture('test/fixtures/controllers/intel-5.1.btmon.txt');

/** The capture's Supported Commands bitmap, by the positions btmon printed (Octet N - Bit M). */
const listedBitmap = new Uint8Array(64);
for (const c of capture.commands ?? []) listedBitmap[c.octet]! |= 1 << c.bit;

/** Answers from the capture for what it shows; the host's other commands (not in the excerpt) succeed. */
function answerFromCapture(command: HciCommand, address: Uint8Array): HciEvent[] {
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

describe('the Intel 5.1 capture replayed through Host.open', () => {
  it('the capture has what the replay needs', () => {
    expect(capture.commands?.length).toBe(215);
    expect(capture.le).toEqual({ size: 251, count: 3 });
    expect(capture.maxData).toEqual({ tx: 251, rx: 251 });
  });

  it('the host finds what the capture shows, and sends only what it lists', async () => {
    const fake: FakeController = new FakeController(undefined, (command) =>
      answerFromCapture(command, fake.address),
    );
    const host = await Host.open(fake);
    try {
      const info = host.controller;
      expect(info.version).toEqual({
        hci: 0x0a,
        hciSubversion: capture.hciRevision,
        lmp: 0x0a,
        lmpSubversion: capture.lmpSubversion,
        manufacturer: 2,
      });
      expect([...info.supportedCommands!]).toEqual([...listedBitmap]);
      expect([...info.leFeatures]).toEqual([...capture.leFeatures!]);
      // LE has its own buffers here (251 x 3): Read Buffer Size is not needed and not sent.
      expect(info.aclBuffers).toEqual({ size: 251, count: 3, shared: false });
      expect(host.buffers).toEqual({ size: 251, count: 3 });
      expect(fake.commandNames).not.toContain('read-buffer-size');
      expect([info.acceptListSize, info.resolvingListSize]).toEqual([25, 25]);
      expect(info.maxDataLength).toEqual({ txOctets: 251, rxOctets: 251 });
      // Reset and the two reads that say what is listed go first; everything after is in the capture's list.
      expect(fake.commandNames.slice(0, 3)).toEqual([
        'reset',
        'read-local-version-information',
        'read-local-supported-commands',
      ]);
      const unlisted = fake.commands.slice(3).filter((c) => !hasCommand(listedBitmap, COMMAND_ROW[c.name]));
      expect(unlisted.map((c) => c.name)).toEqual([]);
    } finally {
      await host.close();
    }
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
