/** `ble-smp controller-info` on a virtual controller served over TCP (issue 16). */
import { describe, expect, it } from 'vitest';
import { controllerInfoCommand } from '../../src/cli/commands/controller-info.js';
import { main } from '../../src/cli/main.js';
import { lineIo, startController } from './cli-harness.js';

describe('ble-smp controller-info', () => {
  it('--json: the version, the commands the virtual controller lists, its LE features and buffers', async () => {
    const hci = await startController();
    const lines = lineIo();
    expect(await controllerInfoCommand(['--hci', hci, '--json'], lines.io), lines.err.join('\n')).toBe(0);
    const info = JSON.parse(lines.out[0]!) as Record<string, unknown>;
    expect(info).toMatchObject({
      type: 'controller',
      version: { core: '5.4', hci: 0x0d, manufacturer: 0xffff },
      leFeatures: ['LE Encryption'],
      aclBuffers: { size: 27, count: 4, shared: false },
      // The virtual controller does not list the list-size commands: they are not asked.
      acceptListSize: null,
      resolvingListSize: null,
      maxDataLength: null,
    });
    const commands = info.supportedCommands as string[];
    expect(commands).toContain('LE Long Term Key Request Reply');
    expect(commands).not.toContain('LE Read Resolving List Size');
  });

  it('text: one line each, ending with what ble-smp will use; usage errors exit 2', async () => {
    const hci = await startController();
    const lines = lineIo();
    expect(await controllerInfoCommand(['--hci', hci], lines.io)).toBe(0);
    const text = lines.out.join('\n');
    expect(text).toMatch(/^address 00:00:00:5a:00:01\nBluetooth 5\.4 \(HCI version 0x0d/);
    expect(text).toMatch(/ACL buffers for LE: 4 of 27 octets/);
    expect(text).toMatch(/ble-smp will use: legacy advertising/);
    const bad = lineIo();
    expect(await main(['controller-info', '--hci', hci, '--bogus'], bad.io)).toBe(2);
    expect(bad.err.join('\n')).toMatch(/Usage: ble-smp controller-info/);
  });

  it('controller --profile intel-5.1: controller-info reports that controller, and the host used its buffers', async () => {
    const hci = await startController(['--profile', 'intel-5.1']);
    const lines = lineIo();
    expect(await controllerInfoCommand(['--hci', hci, '--json'], lines.io), lines.err.join('\n')).toBe(0);
    expect(JSON.parse(lines.out[0]!)).toMatchObject({
      version: { core: '5.1', hci: 0x0a, manufacturer: 2 },
      aclBuffers: { size: 251, count: 3, shared: false },
      leFeatures: expect.arrayContaining(['LE Data Packet Length Extension', 'LL Privacy']),
      // The capture lists both list sizes, and the controller playing it answers them.
      acceptListSize: 25,
      resolvingListSize: 25,
      problems: [],
    });
  });

  it('controller --profile rtl8761b-rom: the known problem and what ble-smp does about it, in text and JSON', async () => {
    const hci = await startController(['--profile', 'rtl8761b-rom']);
    const json = lineIo();
    expect(await controllerInfoCommand(['--hci', hci, '--json'], json.io), json.err.join('\n')).toBe(0);
    expect(JSON.parse(json.out[0]!)).toMatchObject({
      version: { hci: 0x0a, hciSubversion: 0x000b, lmpSubversion: 0x8761, manufacturer: 93 },
      problems: [{ id: 'passive-scan-silent', source: 'https://github.com/bluez/bluetooth-next/pull/708' }],
    });
    const text = lineIo();
    expect(await controllerInfoCommand(['--hci', hci], text.io)).toBe(0);
    expect(text.out.join('\n')).toMatch(
      /known problem: a Realtek RTL8761B on its ROM \(the firmware rtl_bt\/rtl8761bu_fw\.bin was not loaded\).*ble-smp scans actively on it/,
    );
  });

  it('an unknown --profile is a usage error naming the known ones (controller and demo)', async () => {
    for (const argv of [
      ['controller', '--listen', 'tcp:127.0.0.1:0', '--profile', 'pi9'],
      ['demo', '--profile', 'pi9'],
    ]) {
      const lines = lineIo();
      expect(await main(argv, lines.io)).toBe(2);
      expect(lines.err.join('\n')).toMatch(/unknown controller profile "pi9"; known: pi3b, pi4/);
    }
  });
});
