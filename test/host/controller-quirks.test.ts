/**
 * Issue 16: real controllers' quirks, played by the virtual controller, and
 * the host working through each: a command answered twice (the Pi 4's LE Read
 * Remote Features), a Command Status where the spec has Command Complete, a
 * reset that takes its time, events after the reset, a Realtek ROM that
 * reports nothing while scanning passively, and a command the controller does
 * not list.
 */
import { describe, expect, it } from 'vitest';
import { HciOpcode } from '../../src/hci/constants.js';
import type { HciEvent } from '../../src/hci/events.js';
import type { HciPacket } from '../../src/hci/h4.js';
import { commandsToBitmap } from '../../src/hci/supported-commands.js';
import type { Advertisement } from '../../src/host/advertisement.js';
import {
  CommandChannel,
  HciCommandError,
  HciTimeoutError,
  UnsupportedCommandError,
} from '../../src/host/command-channel.js';
import { type Connection, ConnectionError } from '../../src/host/connection.js';
import { describeController } from '../../src/host/controller-info.js';
import { Host } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import { PairingError } from '../../src/host/security-errors.js';
import { acceptAll } from '../../src/smp/delegate.js';
import type { Transport } from '../../src/transport/transport.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import {
  type ControllerProfile,
  intel51,
  pi3b,
  pi4,
  type QuirkPlay,
  rtl8761bRom,
} from '../../src/transport/virtual/profiles/index.js';
import { recording } from '../transport/virtual/recording.js';
import { FakeController } from './fake-controller.js';
import { tb } from './virtual-hosts.js';

/** `base` with one more quirk, played as `play` (a test's own profile). */
function withPlay(base: ControllerProfile, play: QuirkPlay): ControllerProfile {
  return {
    ...base,
    name: `${base.name}+${play.kind}`,
    quirks: [
      ...base.quirks,
      { id: `test-${play.kind}`, description: 'played by this test', sources: [], play },
    ],
  };
}

/** A command channel on a controller that answers nothing by itself, with a timeout the test fires by hand. */
function silentChannel() {
  const fake = new FakeController(undefined, () => undefined);
  const timer: { fire: (() => void) | undefined } = { fire: undefined };
  const channel = new CommandChannel(fake, {
    timers: {
      setTimeout: (fn) => {
        timer.fire = fn;
        return 1;
      },
      clearTimeout: () => {
        timer.fire = undefined;
      },
    },
  });
  return { fake, channel, timer };
}

const PERIPHERAL_ADDRESS = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06);

/** Hosts on `air`: a central on `central` (any transport to one of its controllers) and a peripheral on `peerProfile`. */
async function hostsAround(
  air: VirtualAir,
  central: Transport,
  peerProfile?: ControllerProfile,
  options: HostOptions = {},
): Promise<{ c: Host; p: Host }> {
  const c = await Host.open(central, { crypto: tb, delegate: acceptAll, ...options });
  const p = await Host.open(
    air.createController({ address: PERIPHERAL_ADDRESS, ...(peerProfile && { profile: peerProfile }) }),
    { crypto: tb, delegate: acceptAll },
  );
  return { c, p };
}

/** A central on `profile` (recorded) and a peripheral on `peerProfile`, both open. */
async function hostsOn(
  profile: ControllerProfile | undefined,
  peerProfile?: ControllerProfile,
  options: HostOptions = {},
) {
  const air = new VirtualAir();
  const central = recording(air.createController({ ...(profile && { profile }) }));
  return { air, central, ...(await hostsAround(air, central.transport, peerProfile, options)) };
}

/** The controller, with each event `matches` picks replaced by `rewrite`'s packet (or dropped when it gives null). */
function rewritingEvents(
  controller: Transport,
  matches: (data: Uint8Array) => boolean,
  rewrite: (packet: HciPacket) => HciPacket | null,
): Transport {
  return {
    send: (packet) => controller.send(packet),
    onPacket: (listener) =>
      controller.onPacket((packet) => {
        const out = packet.type === 'event' && matches(packet.data) ? rewrite(packet) : packet;
        if (out) listener(out);
      }),
    onClose: (listener) => controller.onClose(listener),
    close: () => controller.close(),
  };
}

async function connect(c: Host, p: Host): Promise<Connection> {
  await p.startAdvertising();
  return c.connect(PERIPHERAL_ADDRESS, 0, { timeoutMs: 2000 });
}

const answersTo = (events: readonly HciEvent[], opcode: number) =>
  events.flatMap((e) =>
    (e.name === 'command-complete' || e.name === 'command-status') && e.opcode === opcode ? [e.name] : [],
  );

describe('Pi 4 (CYW43455): LE Read Remote Features answered by Command Status and then also Command Complete', () => {
  it('the host takes the features from the Complete event, ignores the second answer, and pairs', async () => {
    const { c, p, central } = await hostsOn(pi4, intel51);
    try {
      const link = await connect(c, p);
      const features = await link.readRemoteFeatures();
      // The peer plays the Intel 5.1 capture: its LE features are what the peer's controller gives.
      expect([...features]).toEqual([...intel51.leFeatures.value!]);
      // Both answers reached the host, in the capture's order.
      expect(answersTo(central.events, HciOpcode.LeReadRemoteFeatures)).toEqual([
        'command-status',
        'command-complete',
      ]);
      // A second read, and a pairing, go through after the stray answer.
      expect([...(await link.readRemoteFeatures())]).toEqual([...features]);
      const result = await link.pair();
      expect(result.method).toBe('sc');
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('control: a controller without the quirk answers once', async () => {
    const { c, p, central } = await hostsOn(pi3b);
    try {
      const link = await connect(c, p);
      expect([...(await link.readRemoteFeatures())]).toEqual([0x01, 0, 0, 0, 0, 0, 0, 0]);
      expect(answersTo(central.events, HciOpcode.LeReadRemoteFeatures)).toEqual(['command-status']);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('Command Status (Success) where the spec has Command Complete', () => {
  const play: QuirkPlay = {
    kind: 'status-before-complete',
    opcodes: [HciOpcode.ReadBdAddr, HciOpcode.LeReadBufferSize, HciOpcode.ReadLocalVersionInformation],
  };

  it('the host waits for the Command Complete and its return parameters', async () => {
    const { c, p, central } = await hostsOn(withPlay(pi4, play));
    try {
      expect(answersTo(central.events, HciOpcode.ReadBdAddr)).toEqual(['command-status', 'command-complete']);
      expect(answersTo(central.events, HciOpcode.LeReadBufferSize)).toEqual([
        'command-status',
        'command-complete',
      ]);
      // Read from the Command Complete, not taken from the Command Status.
      expect(c.controller.version?.manufacturer).toBe(pi4.version.manufacturer.value);
      expect(c.address.address.every((octet) => octet === 0)).toBe(false);
      const link = await connect(c, p);
      expect((await link.pair()).method).toBe('sc');
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('a Command Complete that never follows fails the command, saying what came', async () => {
    const { fake, channel, timer } = silentChannel();
    const answer = channel.send({ name: 'read-bd-addr' }).catch((e: Error) => e);
    // Command Status (Success) for Read BD_ADDR: 0f 04 00 01 09 10.
    fake.raw(Uint8Array.of(0x0f, 0x04, 0x00, 0x01, 0x09, 0x10));
    await Promise.resolve();
    // Still waiting for the Command Complete: the timeout is armed, not cleared.
    timer.fire!();
    const error = await answer;
    expect(error).toBeInstanceOf(HciTimeoutError);
    expect((error as Error).message).toBe(
      'the controller answered HCI_Read_BD_ADDR with Command Status (Success) but sent no Command Complete with its return parameters within 2000 ms',
    );
    expect(fake.commandNames).toEqual(['read-bd-addr']);
  });
});

describe('a reset that takes its time, and events after it', () => {
  it('HCI Reset gets its own timeout: a 300 ms reset passes with resetTimeoutMs 1000 where commands get 100', async () => {
    const slow = withPlay(pi3b, { kind: 'slow-reset', ms: 300 });
    const started = performance.now();
    const { c, p } = await hostsOn(slow, undefined, { resetTimeoutMs: 1000, commandTimeoutMs: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await Promise.allSettled([c.close(), p.close()]);
  });

  it('and fails, naming HCI_Reset, when the reset takes longer than resetTimeoutMs', async () => {
    const slow = withPlay(pi3b, { kind: 'slow-reset', ms: 300 });
    const air = new VirtualAir();
    const error = await Host.open(air.createController({ profile: slow }), {
      crypto: tb,
      resetTimeoutMs: 100,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(HciTimeoutError);
    expect((error as Error).message).toBe('the controller did not answer HCI_Reset within 100 ms');
  });

  it('vendor events after the reset are ignored; the host opens and pairs', async () => {
    // Two vendor-specific events (code 0xFF), as firmware sends after a reset.
    const vendor = [Uint8Array.of(0xff, 0x03, 0x02, 0x01, 0x00), Uint8Array.of(0xff, 0x01, 0x17)];
    const { c, p, central } = await hostsOn(withPlay(pi4, { kind: 'events-after-reset', events: vendor }));
    try {
      expect(central.events.filter((e) => e.name === 'unknown' && e.code === 0xff)).toHaveLength(2);
      const link = await connect(c, p);
      expect((await link.pair()).method).toBe('sc');
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('Realtek RTL8761B on its ROM: nothing reported while scanning passively', () => {
  const firstAdvertisement = (host: Host, ms: number) =>
    new Promise<Advertisement | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      host.once('advertisement', (ad) => {
        clearTimeout(timer);
        resolve(ad);
      });
    });

  it('the controller plays it: a passive scan reports nothing, an active one reports', async () => {
    const { c, p } = await hostsOn(rtl8761bRom);
    try {
      await p.startAdvertising();
      // Host.command sends what it is given: a passive scan, as another host would set it.
      const scan = (scanType: number) =>
        c.command({
          name: 'le-set-scan-parameters',
          scanType,
          scanInterval: 0x60,
          scanWindow: 0x30,
          ownAddressType: 0,
          scanningFilterPolicy: 0,
        });
      await scan(0x00);
      const passive = firstAdvertisement(c, 300);
      await c.command({ name: 'le-set-scan-enable', enable: true, filterDuplicates: false });
      expect(await passive).toBeUndefined();
      await c.command({ name: 'le-set-scan-enable', enable: false, filterDuplicates: false });
      await scan(0x01);
      const active = firstAdvertisement(c, 2000);
      await c.command({ name: 'le-set-scan-enable', enable: true, filterDuplicates: false });
      expect(await active).toBeDefined();
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('the host recognises it, says so, and scans actively when asked for a passive scan', async () => {
    const { c, p, central } = await hostsOn(rtl8761bRom);
    try {
      expect(c.controller.problems.map((problem) => problem.id)).toEqual(['passive-scan-silent']);
      expect(describeController(c.controller).join('\n')).toMatch(
        /known problem: a Realtek RTL8761B on its ROM .* ble-smp scans actively on it/,
      );
      await p.startAdvertising();
      const seen = firstAdvertisement(c, 2000);
      await c.startScanning({ active: false });
      expect(await seen).toBeDefined();
      const parameters = central.commands.find((command) => command.name === 'le-set-scan-parameters');
      expect(parameters).toMatchObject({ scanType: 0x01 });
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('control: the same dongle with its firmware (and any other controller) scans passively as asked', async () => {
    const { c, p, central } = await hostsOn(pi4);
    try {
      expect(c.controller.problems).toEqual([]);
      await p.startAdvertising();
      const seen = firstAdvertisement(c, 2000);
      await c.startScanning({ active: false });
      expect(await seen).toBeDefined();
      expect(central.commands.find((command) => command.name === 'le-set-scan-parameters')).toMatchObject({
        scanType: 0x00,
      });
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

/** The Intel 5.1 capture's complete command list less one command, which the capture's list does have. */
function intel51Lacking(command: string): ControllerProfile {
  const listed = intel51.supportedCommands.value!.bitmap;
  const drop = commandsToBitmap([command]);
  expect(drop.some((octet, i) => octet !== 0 && (listed[i]! & octet) === octet)).toBe(true);
  const bitmap = Uint8Array.from(listed, (octet, i) => octet & ~drop[i]!);
  return {
    ...intel51,
    name: `intel-5.1-without-${command.toLowerCase().replaceAll(' ', '-')}`,
    supportedCommands: { ...intel51.supportedCommands, value: { bitmap, complete: true } },
  };
}

describe('a command the controller does not list is not sent', () => {
  it('readRemoteFeatures on a controller whose complete list lacks it rejects, naming the command', async () => {
    expect(commandsToBitmap(['LE Read Remote Used Features'])[27]).toBe(1 << 5);
    const { c, p, central } = await hostsOn(intel51Lacking('LE Read Remote Used Features'));
    try {
      const link = await connect(c, p);
      const error = await link.readRemoteFeatures().catch((e: Error) => e);
      expect(error).toBeInstanceOf(UnsupportedCommandError);
      expect((error as Error).message).toBe(
        'the controller does not support HCI_LE_Read_Remote_Features (not in its Read Local Supported Commands)',
      );
      expect(central.commands.map((command) => command.name)).not.toContain('le-read-remote-features');
      // The link is unharmed.
      expect((await link.pair()).method).toBe('sc');
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('a pairing whose encryption cannot start says why', () => {
  it('the central on a controller without LE Start Encryption: the failure names the command, nothing is stored', async () => {
    expect(commandsToBitmap(['LE Start Encryption'])[28]).toBe(1 << 0);
    const { c, p, central } = await hostsOn(intel51Lacking('LE Start Encryption'));
    try {
      const link = await connect(c, p);
      const error = await link.pair().catch((e: Error) => e);
      expect(error).toBeInstanceOf(PairingError);
      expect((error as PairingError).reason).toBe(0x08);
      expect((error as Error).message).toBe(
        'encryption with the new key failed: the controller does not support HCI_LE_Enable_Encryption ' +
          '(not in its Read Local Supported Commands)',
      );
      expect(central.commands.map((command) => command.name)).not.toContain('le-start-encryption');
      expect([...c.security.bonds.list()]).toEqual([]);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('a pairing whose encryption fails at the controller says why', () => {
  it("the central's Encryption Change reports 0x06 PIN or Key Missing: the failure quotes it, nothing is stored", async () => {
    const air = new VirtualAir();
    const controller = air.createController();
    // Encryption Change (Vol 4 Part E 7.7.8): status, handle, Encryption_Enabled; the status a controller reports
    // when the peripheral's host refused the key.
    const refusing = rewritingEvents(
      controller,
      (data) => data[0] === 0x08,
      (packet) => {
        const data = Uint8Array.from(packet.data);
        data[2] = 0x06;
        data[5] = 0x00;
        return { type: 'event', data };
      },
    );
    const { c, p } = await hostsAround(air, refusing);
    try {
      const link = await connect(c, p);
      const error = await link.pair().catch((e: Error) => e);
      expect(error).toBeInstanceOf(PairingError);
      expect((error as PairingError).reason).toBe(0x08);
      expect((error as Error).message).toBe(
        'encryption with the new key failed: Encryption Change 0x06 PIN or Key Missing',
      );
      expect([...c.security.bonds.list()]).toEqual([]);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('readRemoteFeatures when the peer does not answer', () => {
  /** The controller, with each LE Read Remote Features Complete replaced by `rewrite`'s packet (or dropped). */
  const rewritingFeatures = (controller: Transport, rewrite: (packet: HciPacket) => HciPacket | null) =>
    rewritingEvents(controller, (data) => data[0] === 0x3e && data[2] === 0x04, rewrite);

  it('a Complete event with Connection Timeout (as in the Pi 4 capture) rejects with that status', async () => {
    const air = new VirtualAir();
    const timeout = (packet: HciPacket): HciPacket => {
      const data = Uint8Array.from(packet.data);
      data[3] = 0x08; // Status: Connection Timeout
      data.fill(0, 6);
      return { type: 'event', data };
    };
    const { c, p } = await hostsAround(
      air,
      rewritingFeatures(air.createController({ profile: pi4 }), timeout),
    );
    try {
      const link = await connect(c, p);
      const error = await link.readRemoteFeatures().catch((e: Error) => e);
      expect(error).toBeInstanceOf(HciCommandError);
      expect((error as HciCommandError).status).toBe(0x08);
      expect((error as Error).message).toMatch(/HCI_LE_Read_Remote_Features failed: .*Connection Timeout/);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('a link that goes down before the Complete event rejects with a ConnectionError', async () => {
    const air = new VirtualAir();
    const { c, p } = await hostsAround(
      air,
      rewritingFeatures(air.createController(), () => null),
    );
    try {
      const link = await connect(c, p);
      const pending = link.readRemoteFeatures().catch((e: Error) => e);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await link.disconnect();
      const error = await pending;
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/the link went down/);
      // And on a link already down, at once.
      expect(await link.readRemoteFeatures().catch((e: Error) => e)).toBeInstanceOf(ConnectionError);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });
});

describe('answers and events in states where none is due', () => {
  /** The controller, plus a way to hand the host an event the controller did not send. */
  function injectable(controller: Transport) {
    const listeners: ((packet: HciPacket) => void)[] = [];
    const transport: Transport = {
      send: (packet) => controller.send(packet),
      onPacket: (listener) => {
        listeners.push(listener);
        return controller.onPacket(listener);
      },
      onClose: (listener) => controller.onClose(listener),
      close: () => controller.close(),
    };
    const inject = (data: Uint8Array) => {
      for (const listener of listeners) listener({ type: 'event', data });
    };
    return { transport, inject };
  }

  it('a Command Complete and a Command Status for commands never sent are ignored; the host goes on', async () => {
    const air = new VirtualAir();
    const central = injectable(air.createController());
    const { c, p } = await hostsAround(air, central.transport);
    try {
      // LE Rand complete (never asked), a vendor opcode's complete, an LE Create Connection status.
      central.inject(Uint8Array.of(0x0e, 0x0c, 0x01, 0x18, 0x20, 0x00, 1, 2, 3, 4, 5, 6, 7, 8));
      central.inject(Uint8Array.of(0x0e, 0x04, 0x01, 0x01, 0xfc, 0x00));
      central.inject(Uint8Array.of(0x0f, 0x04, 0x0c, 0x01, 0x0d, 0x20));
      const link = await connect(c, p);
      expect((await link.pair()).method).toBe('sc');
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('LE Read Remote Features Complete for an unknown handle, or with nobody waiting, is ignored', async () => {
    const air = new VirtualAir();
    const central = injectable(air.createController());
    const { c, p } = await hostsAround(air, central.transport);
    try {
      const link = await connect(c, p);
      const complete = (handle: number) =>
        Uint8Array.of(0x3e, 0x0c, 0x04, 0x00, handle & 0xff, handle >> 8, 0xff, 0, 0, 0, 0, 0, 0, 0);
      central.inject(complete(0x0eff));
      central.inject(complete(link.handle));
      // The next read gets the real answer, not the stray one.
      expect([...(await link.readRemoteFeatures())]).toEqual([0x01, 0, 0, 0, 0, 0, 0, 0]);
    } finally {
      await Promise.allSettled([c.close(), p.close()]);
    }
  });

  it('a Command Status with an error for a command due a Command Complete fails it with that status', async () => {
    const { fake, channel, timer } = silentChannel();
    const answer = channel.send({ name: 'le-read-buffer-size' }).catch((e: Error) => e);
    // Command Status, Command Disallowed (0x0C), for LE Read Buffer Size: 0f 04 0c 01 02 20.
    fake.raw(Uint8Array.of(0x0f, 0x04, 0x0c, 0x01, 0x02, 0x20));
    const error = await answer;
    expect(error).toBeInstanceOf(HciCommandError);
    expect((error as HciCommandError).status).toBe(0x0c);
    expect(timer.fire).toBeUndefined();
  });
});
