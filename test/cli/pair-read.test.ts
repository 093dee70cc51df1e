/**
 * `ble-smp pair --read`: the attribute named by handle or by characteristic
 * UUID is read before the link is secured (refused by a server that needs
 * encryption) and again once it is (answered), each outcome printed. The
 * argument, the request and the answers' decoding: att-read.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { printRead } from '../../src/cli/att-read.js';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { UsageError } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Connection } from '../../src/host/connection.js';
import { Host } from '../../src/host/host.js';
import { formatAddress } from '../../src/smp/delegate.js';
import { openTransport } from '../../src/transport/open.js';
import { type Json, lineIo, startController } from './cli-harness.js';

describe('--read ATTR', () => {
  it('prints each outcome as a line a person reads, or as JSON', () => {
    const lines: string[] = [];
    const print = (_event: Json, human: string) => lines.push(human);
    printRead(print, { handle: 12 }, { handle: 12, error: 5 });
    printRead(print, { uuid: '2a00' }, { handle: 3, value: Uint8Array.of(0x68, 0x69) });
    printRead(print, { handle: 12 }, { failed: 'disconnected' });
    expect(lines).toEqual([
      'read 0x000c: error 0x05 insufficient-authentication',
      'read 2a00: handle 0x0003, 6869',
      'read 0x000c: no answer (disconnected)',
    ]);
    const events: Json[] = [];
    printRead((event) => events.push(event), { uuid: '2a00' }, { handle: 1, error: 0x0a });
    expect(events).toEqual([
      { type: 'read', uuid: '2a00', handle: 1, error: 0x0a, errorName: 'attribute-not-found' },
    ]);
  });

  it('exits 2 for a --read that names neither, and lists --read in the help', async () => {
    await expect(
      pairCommand(['--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22:33:44:55', '--read', '12'], lineIo().io),
    ).rejects.toThrow(UsageError);
    const lines = lineIo();
    expect(
      await main(
        ['pair', '--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22:33:44:55', '--read', 'x'],
        lines.io,
      ),
    ).toBe(2);
    expect(lines.err.join('\n')).toContain('--read "x"');
    const help = lineIo();
    await main(['pair', '--help'], help.io);
    expect(help.out.join('\n')).toMatch(/--read ATTR/);
  });
});

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

/** A peripheral whose one characteristic (UUID 0xab01, value handle 3) is readable over an encrypted link only. */
async function peripheral(hci: string, value: Uint8Array) {
  const att = (connection: Connection, pdu: Uint8Array) => {
    const opcode = pdu[0];
    const refused = (handle: number) => Uint8Array.of(0x01, opcode!, handle, 0, 0x05);
    if (opcode === 0x0a && pdu[1] === 3)
      return connection.encrypted ? Uint8Array.of(0x0b, ...value) : refused(3);
    if (opcode === 0x08 && pdu[5] === 0x01 && pdu[6] === 0xab) {
      return connection.encrypted ? Uint8Array.of(0x09, 2 + value.length, 3, 0, ...value) : refused(1);
    }
    return undefined;
  };
  const host = await Host.open(await openTransport(hci), { att });
  closing.push(() => host.close());
  host.on('disconnect', () => void host.startAdvertising().catch(() => undefined));
  await host.startAdvertising();
  return `${formatAddress(host.address.address)}/public`;
}

describe('pair --read against a peripheral that needs encryption', () => {
  it.each([
    ['a handle', '0x0003', {}],
    ['a characteristic UUID', 'AB01', { uuid: 'ab01' }],
  ])('%s: refused with Insufficient Authentication, then read once paired', async (_what, read, named) => {
    const hci = await startController();
    const value = randomBytes(6);
    const peer = await peripheral(hci, value);
    const lines = lineIo();
    const status = await pairCommand(['--hci', hci, '--peer', peer, '--json', '--read', read], lines.io);
    expect(lines.err).toEqual([]);
    expect(status).toBe(0);
    const events = lines.events().filter((e) => ['read', 'paired'].includes(String(e.type)));
    expect(events.map((e) => e.type)).toEqual(['read', 'paired', 'read']);
    expect(events[0]).toEqual({
      type: 'read',
      ...named,
      handle: 'uuid' in named ? 1 : 3,
      error: 0x05,
      errorName: 'insufficient-authentication',
    });
    expect(events[2]).toEqual({ type: 'read', ...named, handle: 3, value: value.toString('hex') });
  });

  it('prints the ATT error of a read the peer does not serve (Request Not Supported); no read without --read', async () => {
    const hci = await startController();
    const peer = await peripheral(hci, Uint8Array.of(1));
    const unknown = lineIo();
    expect(await pairCommand(['--hci', hci, '--peer', peer, '--json', '--read', '0x0007'], unknown.io)).toBe(
      0,
    );
    const reads = unknown.events().filter((e) => e.type === 'read');
    // The host answers what its handler leaves with Request Not Supported.
    expect(reads).toEqual([
      { type: 'read', handle: 0, error: 0x06, errorName: 'request-not-supported' },
      { type: 'read', handle: 0, error: 0x06, errorName: 'request-not-supported' },
    ]);
    const plain = lineIo();
    expect(await pairCommand(['--hci', hci, '--peer', peer, '--json'], plain.io)).toBe(0);
    expect(plain.events().filter((e) => e.type === 'read')).toEqual([]);
  });
});
