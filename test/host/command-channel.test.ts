import { describe, expect, it } from 'vitest';
import { HciErrorCode } from '../../src/hci/constants.js';
import { CommandChannel, HciCommandError, HciTimeoutError } from '../../src/host/command-channel.js';
import { Host } from '../../src/host/host.js';
import { complete, defaultAnswer, FakeController } from './fake-controller.js';

describe('Host.open start-up', () => {
  it('sends Reset, asks what the controller is, then Read BD_ADDR and the event masks, in order', async () => {
    const fake = new FakeController(Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66), undefined, 6);
    const host = await Host.open(fake);
    expect(fake.commandNames).toEqual([
      'reset',
      'read-local-version-information',
      'read-local-supported-commands',
      'le-read-local-supported-features',
      'le-read-buffer-size',
      'read-bd-addr',
      'set-event-mask',
      'le-set-event-mask',
    ]);
    expect(host.addressString).toBe('66:55:44:33:22:11');
    expect(host.buffers).toEqual({ size: 27, count: 6 });
    // The fake does not answer Read Local Supported Commands: every command is tried, no list size asked.
    expect(host.controller).toMatchObject({
      version: { hci: 6, manufacturer: 0xffff },
      supportedCommands: null,
      aclBuffers: { size: 27, count: 6, shared: false },
      acceptListSize: null,
    });
    await host.close();
  });

  it('falls back to Read Buffer Size when LE shares the BR/EDR buffers', async () => {
    const fake: FakeController = new FakeController(undefined, (command) =>
      command.name === 'le-read-buffer-size'
        ? [
            complete('le-read-buffer-size', {
              kind: 'le-read-buffer-size',
              status: 0,
              leAclDataPacketLength: 0,
              totalNumLeAclDataPackets: 0,
            }),
          ]
        : defaultAnswer(command, fake.address, 3),
    );
    const host = await Host.open(fake);
    expect(fake.commandNames.slice(4, 6)).toEqual(['le-read-buffer-size', 'read-buffer-size']);
    expect(host.buffers).toEqual({ size: 27, count: 3 });
    expect(host.controller.aclBuffers.shared).toBe(true);
    await host.close();
  });

  it('rejects with a clear timeout when the controller stays silent', async () => {
    const fake = new FakeController(undefined, () => undefined);
    const opened = Host.open(fake, { commandTimeoutMs: 30 });
    await expect(opened).rejects.toBeInstanceOf(HciTimeoutError);
    await expect(opened).rejects.toThrow('the controller did not answer HCI_Reset within 30 ms');
  });
});

describe('CommandChannel', () => {
  it('rejects a non-zero status with an HciCommandError naming the command and status', async () => {
    const fake: FakeController = new FakeController(undefined, (command) =>
      command.name === 'le-set-advertising-enable'
        ? [complete(command.name, { kind: 'status', status: HciErrorCode.CommandDisallowed })]
        : defaultAnswer(command, fake.address),
    );
    const host = await Host.open(fake);
    const error = await host.startAdvertising().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HciCommandError);
    expect((error as HciCommandError).status).toBe(0x0c);
    expect((error as HciCommandError).statusName).toBe('Command Disallowed');
    expect((error as Error).message).toBe('HCI_LE_Set_Advertising_Enable failed: 0x0c Command Disallowed');
    await host.close();
  });

  it('sends one command at a time and waits for a credit', async () => {
    const held: (() => void)[] = [];
    const fake: FakeController = new FakeController(undefined, (command) => {
      held.push(() => {
        for (const e of defaultAnswer(command, fake.address)) fake.event(e);
      });
      return undefined;
    });
    const channel = new CommandChannel(fake, { timeoutMs: 1000 });
    const results = [
      channel.send({ name: 'reset' }),
      channel.send({ name: 'read-bd-addr' }),
      channel.send({ name: 'le-rand' }),
    ];
    expect(fake.commandNames).toEqual(['reset']);
    held.shift()!();
    await results[0];
    expect(fake.commandNames).toEqual(['reset', 'read-bd-addr']);
    // The answer to Read BD_ADDR grants no credit: LE Rand waits for a NOP Command Complete.
    held.shift();
    fake.event({
      ...complete('read-bd-addr', { kind: 'read-bd-addr', status: 0, address: fake.address }, 0),
    });
    const bd = await results[1];
    expect(bd?.kind).toBe('read-bd-addr');
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.commandNames).toEqual(['reset', 'read-bd-addr']);
    fake.event({
      name: 'command-complete',
      numHciCommandPackets: 1,
      opcode: 0,
      returnParameters: { kind: 'raw', data: new Uint8Array(0) },
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.commandNames).toEqual(['reset', 'read-bd-addr', 'le-rand']);
    channel.close(new Error('done'));
    await expect(results[2]).rejects.toThrow('done');
  });
});
