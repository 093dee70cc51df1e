/**
 * Issue 16: the host adapts to the controller it finds. It reads Local
 * Version, Supported Commands and LE features at start-up, sends only
 * commands the controller lists (the list sizes and data length when listed),
 * waits out a slow reset, ignores vendor events, and says plainly when the
 * controller has no LE at all.
 */
import { describe, expect, it } from 'vitest';
import type { HciCommand } from '../../src/hci/commands.js';
import { HciErrorCode } from '../../src/hci/constants.js';
import type { HciEvent } from '../../src/hci/events.js';
import { commandsToBitmap } from '../../src/hci/supported-commands.js';
import type { Timers } from '../../src/host/command-channel.js';
import { ConnectionError } from '../../src/host/connection.js';
import { describeController } from '../../src/host/controller-info.js';
import { Host } from '../../src/host/host.js';
import { acceptAll } from '../../src/smp/delegate.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { known, nrf52840Zephyr, pi4 } from '../../src/transport/virtual/profiles/index.js';
import { complete, defaultAnswer, FakeController } from './fake-controller.js';
import { tb } from './virtual-hosts.js';

/** A Bluetooth 4.2 controller listing exactly `names` (btmon's names of Core 6.27's rows). */
function listing(names: string[], extra: (command: HciCommand) => HciEvent[] | undefined = () => undefined) {
  const fake: FakeController = new FakeController(undefined, (command) => {
    const own = extra(command);
    if (own) return own;
    if (command.name === 'read-local-supported-commands') {
      return [
        complete(command.name, {
          kind: 'read-local-supported-commands',
          status: 0,
          supportedCommands: commandsToBitmap(names),
        }),
      ];
    }
    return defaultAnswer(command, fake.address);
  });
  return fake;
}

const CORE_40 = [
  'Disconnect',
  'Set Event Mask',
  'Reset',
  'Read Local Version Information',
  'Read Local Supported Commands',
  'Read Buffer Size',
  'Read BD ADDR',
  'LE Set Event Mask',
  'LE Read Buffer Size',
  'LE Read Local Supported Features',
];

describe('start-up adapts to the controller', () => {
  it('a controller without the list-size commands is not sent them', async () => {
    const fake = listing(CORE_40);
    const host = await Host.open(fake);
    expect(fake.commandNames).not.toContain('le-read-filter-accept-list-size');
    expect(fake.commandNames).not.toContain('le-read-resolving-list-size');
    expect(fake.commandNames).not.toContain('le-read-maximum-data-length');
    expect(host.controller.supportedCommands).not.toBeNull();
    await host.close();
  });

  it('a controller listing them is asked, and the answers kept', async () => {
    const names = [
      ...CORE_40,
      'LE Read Accept List Size',
      'LE Read Resolving List Size',
      'LE Read Maximum Data Length',
    ];
    const fake = listing(names, (command) => {
      if (
        command.name === 'le-read-filter-accept-list-size' ||
        command.name === 'le-read-resolving-list-size'
      ) {
        return [
          complete(command.name, {
            kind: 'list-size',
            status: 0,
            size: command.name.includes('accept') ? 25 : 8,
          }),
        ];
      }
      if (command.name === 'le-read-maximum-data-length') {
        return [
          complete(command.name, {
            kind: 'le-read-maximum-data-length',
            status: 0,
            supportedMaxTxOctets: 251,
            supportedMaxTxTime: 2120,
            supportedMaxRxOctets: 251,
            supportedMaxRxTime: 2120,
          }),
        ];
      }
      return undefined;
    });
    const host = await Host.open(fake);
    expect(host.controller).toMatchObject({
      acceptListSize: 25,
      resolvingListSize: 8,
      maxDataLength: { txOctets: 251, rxOctets: 251 },
    });
    const lines = describeController(host.controller);
    expect(lines[0]).toMatch(/^Bluetooth 4\.0 \(HCI version 0x06/);
    expect(lines.join('\n')).toMatch(
      /Filter Accept List: 25, resolving list: 8, largest data length: 251 octets/,
    );
    await host.close();
  });

  it('a listed command the controller then refuses (Unknown HCI Command) is done without', async () => {
    const names = [...CORE_40, 'LE Read Resolving List Size'];
    const fake = listing(names, (command) =>
      command.name === 'le-read-resolving-list-size'
        ? [complete(command.name, { kind: 'status', status: HciErrorCode.UnknownHciCommand })]
        : undefined,
    );
    const host = await Host.open(fake);
    expect(host.controller.resolvingListSize).toBeNull();
    await host.close();
  });

  it('a controller with no LE is refused with a message naming what is missing', async () => {
    const fake = listing([
      'Reset',
      'Read Local Version Information',
      'Read Local Supported Commands',
      'Read BD ADDR',
    ]);
    await expect(Host.open(fake)).rejects.toThrow(
      /does not support Bluetooth LE: its supported commands lack LE Set Event Mask \(Bluetooth 4\.0\)/,
    );
  });

  it('waits out a reset that takes seconds (up to 10 s by default), where other commands get 2 s', async () => {
    const timers = manualTimers();
    let answerReset: (() => void) | undefined;
    const fake: FakeController = new FakeController(undefined, (command) => {
      if (command.name === 'reset') {
        answerReset = () => fake.event(complete('reset'));
        return undefined;
      }
      return defaultAnswer(command, fake.address);
    });
    const opened = Host.open(fake, { timers });
    await Promise.resolve();
    timers.advance(9_000); // past the 2 s command timeout, short of 10 s
    answerReset!();
    const host = await opened;
    expect(fake.commandNames.slice(0, 2)).toEqual(['reset', 'read-local-version-information']);
    await host.close();
  });

  it('vendor events at start-up are ignored', async () => {
    const fake: FakeController = new FakeController(undefined, (command) => {
      const answer = defaultAnswer(command, fake.address);
      if (command.name === 'reset') {
        // A vendor-specific event (0xFF) before the Command Complete, as some firmware sends.
        queueMicrotask(() => fake.raw(Uint8Array.of(0xff, 0x03, 0x01, 0x02, 0x03)));
      }
      return answer;
    });
    const host = await Host.open(fake);
    expect(host.buffers.count).toBe(4);
    await host.close();
  });
});

describe('a controller that allows one connection (a profile whose limit is 1)', () => {
  it('a second connect() is refused naming what it needs; after a disconnection it connects', async () => {
    const oneLink = {
      ...pi4,
      maxLeConnections: known(1, [
        { kind: 'document' as const, url: 'test', line: 'a limit of 1 for this test' },
      ]),
    };
    const air = new VirtualAir();
    const central = await Host.open(air.createController({ profile: oneLink }), {
      delegate: acceptAll,
      crypto: tb,
    });
    const peripherals = await Promise.all(
      [1, 2].map((n) =>
        Host.open(air.createController({ address: Uint8Array.of(n, 0, 0, 0, 0x11, 0xc0) }), {
          delegate: acceptAll,
          crypto: tb,
        }),
      ),
    );
    try {
      for (const p of peripherals) await p.startAdvertising();
      const first = await central.connect(Uint8Array.of(1, 0, 0, 0, 0x11, 0xc0), 0, { timeoutMs: 2000 });
      const refused = await central
        .connect(Uint8Array.of(2, 0, 0, 0, 0x11, 0xc0), 0, { timeoutMs: 2000 })
        .catch((e: Error) => e);
      expect(refused).toBeInstanceOf(ConnectionError);
      expect((refused as ConnectionError).status).toBe(0x09);
      expect((refused as Error).message).toMatch(
        /has 1 and allows no more.*controller that allows more simultaneous LE connections/,
      );
      await first.disconnect();
      const second = await central.connect(Uint8Array.of(2, 0, 0, 0, 0x11, 0xc0), 0, { timeoutMs: 2000 });
      expect(second.handle).toBeGreaterThanOrEqual(0);
    } finally {
      await Promise.allSettled([central.close(), ...peripherals.map((p) => p.close())]);
    }
  });
});

describe('nrf52840-zephyr: the hci_uart sample allows 16 connections (its CONFIG_BT_MAX_CONN)', () => {
  it('a central on it connects 16 peripherals; the 17th is refused naming what it needs', async () => {
    const air = new VirtualAir();
    const central = await Host.open(air.createController({ profile: nrf52840Zephyr }), {
      delegate: acceptAll,
      crypto: tb,
    });
    const address = (n: number) => Uint8Array.of(n, 0, 0, 0, 0x12, 0xc0);
    const peripherals = await Promise.all(
      Array.from({ length: 17 }, (_, n) =>
        Host.open(air.createController({ address: address(n + 1) }), { delegate: acceptAll, crypto: tb }),
      ),
    );
    try {
      for (const p of peripherals) await p.startAdvertising();
      for (let n = 1; n <= 16; n++) await central.connect(address(n), 0, { timeoutMs: 2000 });
      const refused = await central.connect(address(17), 0, { timeoutMs: 2000 }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(ConnectionError);
      expect((refused as ConnectionError).status).toBe(0x09);
      expect((refused as Error).message).toMatch(/has 16 and allows no more/);
    } finally {
      await Promise.allSettled([central.close(), ...peripherals.map((p) => p.close())]);
    }
  });
});

/** Timers a test moves by hand. */
function manualTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    setTimeout(fn: () => void, ms: number) {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(id: unknown) {
      pending.delete(id as number);
    },
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...pending]) {
        if (timer.at <= now) {
          pending.delete(id);
          timer.fn();
        }
      }
    },
  } as Timers & { advance(ms: number): void };
}
