import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controllerCommand } from '../../src/cli/commands/controller.js';
import { main } from '../../src/cli/main.js';
import { H4Parser, type HciPacket } from '../../src/hci/h4.js';
import { parseTransport } from '../../src/transport/parse.js';
import { openSocketTransport } from '../../src/transport/stream.js';
import { scratchDir } from '../scratch.js';
import { ADV_IND, createConnection, TestHost } from '../transport/virtual/host.js';
import { lineIo } from './cli-harness.js';

const HCI_RESET = Uint8Array.of(0x01, 0x03, 0x0c, 0x00);
const RESET_COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);
const READ_BD_ADDR = Uint8Array.of(0x01, 0x09, 0x10, 0x00);

/** A raw H4 client: writes octets, hands back whole packets (indicator included) as they arrive. */
class RawClient {
  readonly socket: Socket;
  readonly #parser = new H4Parser();
  readonly #packets: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const { packets, error } = this.#parser.push(chunk);
      if (error) throw new Error(error);
      for (const packet of packets) this.#packets.push(withIndicator(packet));
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static open(target: { host: string; port: number } | { path: string }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(target);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new RawClient(socket)));
    });
  }

  async next(): Promise<Uint8Array> {
    while (this.#packets.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#packets.shift()!;
  }

  async exchange(octets: Uint8Array): Promise<Uint8Array> {
    this.socket.write(octets);
    return this.next();
  }
}

function withIndicator(packet: HciPacket): Uint8Array {
  const indicator = { command: 1, acl: 2, sco: 3, event: 4, iso: 5 }[packet.type];
  return Uint8Array.of(indicator, ...packet.data);
}

/** Command Complete for Read BD_ADDR: 04 0e 0a 01 09 10 00, then the 6-octet address. */
function bdAddrOf(event: Uint8Array): string {
  expect([...event.subarray(0, 7)]).toEqual([0x04, 0x0e, 0x0a, 0x01, 0x09, 0x10, 0x00]);
  expect(event.length).toBe(13);
  return Buffer.from(event.subarray(7)).toString('hex');
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the command in-process; the returned `stop` aborts it and resolves to the exit status. */
async function start(listen: string) {
  const lines = lineIo();
  const abort = new AbortController();
  const done = controllerCommand(['--listen', listen, '--json'], lines.io, abort.signal);
  let stopped = false;
  const stop = () => {
    stopped = true;
    abort.abort();
    return done;
  };
  cleanups.push(() => (stopped ? undefined : stop()));
  const ready = await lines.nextJson();
  expect(ready.type).toBe('ready');
  return { ...lines, ready, done, stop };
}

describe('ble-smp controller', () => {
  it('serves one virtual controller per TCP client, with distinct addresses, until aborted', async () => {
    const server = await start('tcp:127.0.0.1:0');
    expect(server.ready.listen).toMatch(/^tcp:127\.0\.0\.1:[1-9][0-9]*$/);
    const { port } = parseTransport(server.ready.listen as string) as { port: number };

    const a = await RawClient.open({ host: '127.0.0.1', port });
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'connected', id: 1 });
    const b = await RawClient.open({ host: '127.0.0.1', port });
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'connected', id: 2 });
    cleanups.push(
      () => a.socket.destroy(),
      () => b.socket.destroy(),
    );

    expect([...(await a.exchange(HCI_RESET))]).toEqual([...RESET_COMPLETE]);
    expect([...(await b.exchange(HCI_RESET))]).toEqual([...RESET_COMPLETE]);

    // Split a command across writes: the server's H4 parser reassembles it.
    a.socket.write(READ_BD_ADDR.subarray(0, 2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const addressA = bdAddrOf(await a.exchange(READ_BD_ADDR.subarray(2)));
    const addressB = bdAddrOf(await b.exchange(READ_BD_ADDR));
    expect(addressA).not.toBe(addressB);

    a.socket.end();
    await a.closed;
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'disconnected', id: 1 });

    // The other client's controller still answers.
    expect([...(await b.exchange(HCI_RESET))]).toEqual([...RESET_COMPLETE]);

    expect(await server.stop()).toBe(0);
    await b.closed;
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'disconnected', id: 2 });
    expect(server.err).toEqual([]);
  });

  it('serves on a Unix socket and removes it when stopped', async () => {
    const path = join(scratchDir('ble-smp-ctl-'), 'hci.sock');
    const server = await start(`unix:${path}`);
    expect(server.ready).toEqual({ type: 'ready', listen: `unix:${path}` });

    const client = await RawClient.open({ path });
    cleanups.push(() => client.socket.destroy());
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'connected', id: 1 });
    expect([...(await client.exchange(HCI_RESET))]).toEqual([...RESET_COMPLETE]);
    expect(bdAddrOf(await client.exchange(READ_BD_ADDR))).toMatch(/^[0-9a-f]{12}$/);

    expect(await server.stop()).toBe(0);
    await client.closed;
    // The path is free again: a second server can take it.
    const again = await start(`unix:${path}`);
    expect(again.ready.listen).toBe(`unix:${path}`);
    expect(await again.stop()).toBe(0);
  });

  it('lets two hosts connect over the shared air, and drops the link when one client leaves', async () => {
    const server = await start('tcp:127.0.0.1:0');
    const where = parseTransport(server.ready.listen as string) as {
      type: 'tcp';
      host: string;
      port: number;
    };
    const central = new TestHost(await openSocketTransport(where));
    const peripheral = new TestHost(await openSocketTransport(where));
    cleanups.push(
      () => central.transport.close(),
      () => peripheral.transport.close(),
    );

    const bdAddr = await peripheral.complete({ name: 'read-bd-addr' });
    if (bdAddr.returnParameters.kind !== 'read-bd-addr') throw new Error('no address');
    await peripheral.complete(ADV_IND);
    await peripheral.complete({ name: 'le-set-advertising-enable', enable: true });
    expect(await central.status(createConnection(bdAddr.returnParameters.address))).toBe(0);
    const connected = await central.next('le-connection-complete');
    expect(connected.status).toBe(0);
    expect((await peripheral.next('le-connection-complete')).status).toBe(0);

    await peripheral.transport.close();
    const dropped = await central.next('disconnection-complete');
    expect(dropped).toMatchObject({ status: 0, handle: connected.handle, reason: 0x08 });
    expect(await server.stop()).toBe(0);
  });

  it('disconnects a client that breaks H4 framing, and only that client', async () => {
    const server = await start('tcp:127.0.0.1:0');
    const { port } = parseTransport(server.ready.listen as string) as { port: number };
    const good = await RawClient.open({ host: '127.0.0.1', port });
    await server.nextJson();
    const bad = await RawClient.open({ host: '127.0.0.1', port });
    await server.nextJson();
    cleanups.push(() => good.socket.destroy());

    bad.socket.write(Uint8Array.of(0xff, 0x00));
    await bad.closed;
    expect(await server.nextJson()).toEqual({ type: 'client', event: 'disconnected', id: 2 });
    expect(server.err.join('\n')).toContain(
      'client 2: H4: octet 0xff is no packet indicator; disconnecting it',
    );
    expect([...(await good.exchange(HCI_RESET))]).toEqual([...RESET_COMPLETE]);
    expect(await server.stop()).toBe(0);
  });

  it('prints a human line without --json', async () => {
    const lines = lineIo();
    const abort = new AbortController();
    const done = controllerCommand(['--listen', 'tcp:localhost:0'], lines.io, abort.signal);
    expect(await lines.next()).toMatch(/^listening on tcp:(127\.0\.0\.1|\[::1\]):[0-9]+$/);
    abort.abort();
    expect(await done).toBe(0);
  });

  it('resolves 0 at once when the signal is already aborted', async () => {
    const { io, out } = lineIo();
    expect(await controllerCommand(['--listen', 'tcp:127.0.0.1:0', '--json'], io, AbortSignal.abort())).toBe(
      0,
    );
    expect(out).toHaveLength(1);
  });

  it('exits 2 with a clear message when the port or path is in use', async () => {
    const server = await start('tcp:127.0.0.1:0');
    const second = lineIo();
    expect(await main(['controller', '--listen', server.ready.listen as string], second.io)).toBe(2);
    expect(second.err.join('\n')).toMatch(/cannot listen on tcp:127\.0\.0\.1:\d+: the port is in use/);

    const stale = join(scratchDir('ble-smp-ctl-'), 'stale.sock');
    writeFileSync(stale, '');
    const third = lineIo();
    expect(await main(['controller', '--listen', `unix:${stale}`], third.io)).toBe(2);
    expect(third.err.join('\n')).toContain('remove the stale socket file');
  });

  it.each([['tcp:0.0.0.0:9000'], ['tcp:192.168.1.10:9000'], ['tcp:[::]:9000'], ['tcp:example.com:9000']])(
    'refuses the non-loopback address %s with exit 2, naming the rule',
    async (listen) => {
      const { io, out, err } = lineIo();
      expect(await main(['controller', '--listen', listen], io)).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('the host must be a loopback address (127.0.0.0/8, ::1 or localhost)');
    },
  );

  it.each([
    [[], '--listen is required'],
    [['--listen', 'serial:/dev/ttyACM0'], 'use tcp:HOST:PORT or unix:PATH'],
    [['--listen', 'tcp:127.0.0.1'], 'tcp needs a host and a port'],
    [['--listen', 'tcp:127.0.0.1:9000', 'extra'], 'Unexpected argument'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('reports the usage error of %j with exit 2 and the usage', async (argv, message) => {
    const { io, err } = lineIo();
    expect(await main(['controller', ...argv], io)).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('Usage: ble-smp controller --listen');
  });

  it('accepts the other loopback forms', async () => {
    for (const listen of ['tcp:127.0.0.2:0', 'tcp:[::1]:0']) {
      const { io, err, next } = lineIo();
      const abort = new AbortController();
      const done = controllerCommand(['--listen', listen, '--json'], io, abort.signal);
      const first = await Promise.race([next(), done.then(() => undefined)]);
      abort.abort();
      const status = await done;
      if (first === undefined) {
        // Some hosts have no 127.0.0.2 or no IPv6: still a listen error, never a usage error.
        expect(status).toBe(2);
        expect(err.join('\n')).toContain('cannot listen on');
      } else {
        expect(status).toBe(0);
        expect(JSON.parse(first)).toMatchObject({ type: 'ready' });
      }
    }
  });

  it('shows its usage with --help', async () => {
    const { io, out } = lineIo();
    expect(await main(['controller', '--help'], io)).toBe(0);
    expect(out.join('\n')).toContain(
      'Usage: ble-smp controller --listen tcp:HOST:PORT|unix:PATH [--profile NAME] [--json]',
    );
  });
});
