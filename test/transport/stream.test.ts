import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeH4, type HciPacket } from '../../src/hci/h4.js';
import { openSocketTransport, StreamTransport } from '../../src/transport/stream.js';
import { type Transport, TransportError } from '../../src/transport/transport.js';
import { closedPort, hasIpv6Loopback, sleep, type TestServer, tcpServer, unixServer } from './servers.js';

const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };
const resetComplete: HciPacket = { type: 'event', data: Uint8Array.of(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00) };
const acl: HciPacket = {
  type: 'acl',
  data: Uint8Array.of(0x40, 0x20, 0x07, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0b, 0x2d, 0x00),
};
const bigAcl: HciPacket = {
  type: 'acl',
  data: Uint8Array.from([0x01, 0x00, 0x1b, 0x01, ...Array.from({ length: 0x11b }, (_, i) => i & 0xff)]),
};
const concat = (...packets: HciPacket[]) => Buffer.concat(packets.map((p) => encodeH4(p)));

/** Resolves with the first `count` packets the transport delivers. */
function collect(transport: Transport, count: number): Promise<HciPacket[]> {
  const packets: HciPacket[] = [];
  return new Promise((resolve) =>
    transport.onPacket((packet) => {
      packets.push(packet);
      if (packets.length === count) resolve(packets);
    }),
  );
}
/** Resolves with what the close listeners hear. */
const closed = (transport: Transport) =>
  new Promise<Error | undefined>((resolve) => transport.onClose(resolve));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly server: TestServer;
  readonly transport: Transport;
  readonly spec: string;
}

const kinds: { kind: string; open: () => Promise<Setup> }[] = [
  {
    kind: 'tcp on 127.0.0.1',
    open: async () => {
      const server = await tcpServer();
      const transport = await openSocketTransport({ type: 'tcp', host: '127.0.0.1', port: server.port });
      return { server, transport, spec: `tcp:127.0.0.1:${server.port}` };
    },
  },
  {
    kind: 'unix socket',
    open: async () => {
      const server = await unixServer();
      const transport = await openSocketTransport({ type: 'unix', path: server.path });
      return { server, transport, spec: `unix:${server.path}` };
    },
  },
];

describe.each(kinds)('H4 stream transport over a $kind', ({ open }) => {
  async function setup() {
    const s = await open();
    cleanups.push(async () => {
      await s.transport.close();
      await s.server.close();
    });
    return { ...s, peer: await s.server.next() };
  }

  it('writes each packet with its H4 indicator', async () => {
    const { transport, peer } = await setup();
    transport.send(reset);
    transport.send(acl);
    const expected = concat(reset, acl);
    expect(await peer.receive(expected.length)).toEqual(expected);
    expect(expected[0]).toBe(0x01);
    expect(expected[4]).toBe(0x02);
  });

  it('delivers packets whole however the stream splits or joins them', async () => {
    const { transport, peer } = await setup();
    const got = collect(transport, 5);
    const first = encodeH4(resetComplete);
    // One event split across three writes, one in the middle of its header.
    await peer.write(first.subarray(0, 1));
    await sleep(5);
    await peer.write(first.subarray(1, 2));
    await sleep(5);
    await peer.write(first.subarray(2));
    // Two packets joined in one write, the next one begun in it too.
    const joined = concat(resetComplete, acl, bigAcl);
    await peer.write(joined.subarray(0, encodeH4(resetComplete).length + encodeH4(acl).length + 3));
    await sleep(5);
    await peer.write(joined.subarray(encodeH4(resetComplete).length + encodeH4(acl).length + 3));
    await peer.write(encodeH4(resetComplete));
    expect(await got).toEqual([resetComplete, resetComplete, acl, bigAcl, resetComplete]);
    expect((await got)[0]?.data).toBeInstanceOf(Uint8Array);
  });

  it('closes with framing when the stream breaks, after the packets before the break', async () => {
    const { transport, peer, spec } = await setup();
    const packets: HciPacket[] = [];
    transport.onPacket((p) => packets.push(p));
    const error = closed(transport);
    const peerClosed = new Promise((resolve) => peer.socket.once('close', resolve));
    await peer.write(Buffer.concat([encodeH4(resetComplete), Buffer.of(0x00, 0x0e)]));
    const reason = await error;
    expect(reason).toBeInstanceOf(TransportError);
    expect(reason).toMatchObject({ code: 'framing' });
    expect(reason?.message).toContain(`${spec}: H4: octet 0x00 is no packet indicator`);
    expect(packets).toEqual([resetComplete]);
    await peerClosed;
    expect(() => transport.send(reset)).toThrow(/the transport is closed/);
  });

  it('closes with disconnected when the controller hangs up', async () => {
    const { transport, peer, spec } = await setup();
    const error = closed(transport);
    peer.socket.end();
    const reason = await error;
    expect(reason).toMatchObject({
      code: 'disconnected',
      message: `${spec}: the other end closed the connection`,
    });
  });

  it('close() flushes what was sent, ends the connection and tells listeners without an error', async () => {
    const { transport, peer } = await setup();
    const heard: (Error | undefined)[] = [];
    transport.onClose((error) => heard.push(error));
    transport.send(reset);
    transport.send(bigAcl);
    await transport.close();
    await transport.close();
    expect(heard).toEqual([undefined]);
    const expected = concat(reset, bigAcl);
    expect(await peer.receive(expected.length)).toEqual(expected);
    await peer.ended;
  });
});

describe('openSocketTransport', () => {
  it('rejects with connect-failed, naming the address and the OS error, when nothing listens', async () => {
    const port = await closedPort();
    const attempt = openSocketTransport({ type: 'tcp', host: '127.0.0.1', port });
    await expect(attempt).rejects.toBeInstanceOf(TransportError);
    await expect(attempt).rejects.toMatchObject({ code: 'connect-failed' });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^cannot connect to tcp:127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): nothing listens there`,
      ),
    );
    await expect(attempt).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });

  it('rejects with connect-failed when the unix socket does not exist', async () => {
    const server = await unixServer();
    await server.close();
    await expect(openSocketTransport({ type: 'unix', path: server.path })).rejects.toMatchObject({
      code: 'connect-failed',
      message: expect.stringMatching(
        new RegExp(
          `^cannot connect to unix:${server.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.*ENOENT`,
        ),
      ),
    });
  });

  it('connects to ::1 from a bracketed address', async (context) => {
    if (!(await hasIpv6Loopback())) context.skip();
    const server = await tcpServer('::1');
    cleanups.push(() => server.close());
    const transport = await openSocketTransport({ type: 'tcp', host: '::1', port: server.port });
    cleanups.push(() => transport.close());
    const peer = await server.next();
    transport.send(reset);
    expect(await peer.receive(4)).toEqual(concat(reset));
    expect((transport as StreamTransport).name).toBe(`tcp:[::1]:${server.port}`);
  });
});

describe('StreamTransport on any Duplex', () => {
  /** A Duplex whose writes never complete, as when the other end stops reading. */
  function stuck() {
    const stream = new Duplex({ read() {}, write() {} });
    return stream;
  }

  it('cuts the stream when close() cannot flush within flushTimeoutMs', async () => {
    const stream = stuck();
    const transport = new StreamTransport(stream, 'stuck', { flushTimeoutMs: 20 });
    transport.send(reset);
    const started = Date.now();
    await transport.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(stream.destroyed).toBe(true);
  });

  it('closes with io on a stream error, naming the stream and keeping the cause', async () => {
    const stream = stuck();
    const transport = new StreamTransport(stream, 'uart');
    const error = closed(transport);
    const cause = new Error('EIO: i/o error, read');
    stream.destroy(cause);
    expect(await error).toMatchObject({ code: 'io', message: 'uart: EIO: i/o error, read', cause });
  });

  it('closes with framing when the stream yields text', async () => {
    const stream = stuck();
    stream.setEncoding('latin1');
    const transport = new StreamTransport(stream);
    const error = closed(transport);
    stream.push(Buffer.from(encodeH4(resetComplete)));
    expect(await error).toMatchObject({ code: 'framing', message: expect.stringMatching(/^stream: .*text/) });
  });

  it('closes with disconnected when a half-open Duplex ends', async () => {
    const stream = stuck();
    const transport = new StreamTransport(stream, 'pipe');
    const error = closed(transport);
    stream.push(null);
    stream.resume();
    expect(await error).toMatchObject({ code: 'disconnected' });
    expect(stream.destroyed).toBe(true);
  });
});
