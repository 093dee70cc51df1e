import { describe, expect, it } from 'vitest';
import { encodeH4, type HciPacket } from '../../src/hci/h4.js';
import { openTransport } from '../../src/transport/open.js';
import { TransportError } from '../../src/transport/transport.js';
import { closedPort, tcpServer, unixServer } from './servers.js';

const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };

describe('openTransport', () => {
  it('refuses a malformed string with bad-address', async () => {
    await expect(openTransport('tcp:nowhere')).rejects.toMatchObject({
      name: 'TransportError',
      code: 'bad-address',
      message: expect.stringContaining('Use one of:'),
    });
  });

  it('refuses virtual with unsupported, saying the virtual controller is not available yet', async () => {
    const attempt = openTransport('virtual');
    await expect(attempt).rejects.toBeInstanceOf(TransportError);
    await expect(attempt).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('the virtual controller is not available yet'),
    });
  });

  it('opens tcp:127.0.0.1:PORT and unix:PATH, from a string or a descriptor', async () => {
    const tcp = await tcpServer();
    const unix = await unixServer();
    try {
      for (const spec of [
        `tcp:127.0.0.1:${tcp.port}`,
        { type: 'tcp', host: '127.0.0.1', port: tcp.port } as const,
        `unix:${unix.path}`,
      ]) {
        const server = typeof spec === 'string' && spec.startsWith('unix:') ? unix : tcp;
        const transport = await openTransport(spec, { connectTimeoutMs: 5000, flushTimeoutMs: 500 });
        const peer = await server.next();
        transport.send(reset);
        expect(await peer.receive(4)).toEqual(Buffer.from(encodeH4(reset)));
        await transport.close();
      }
    } finally {
      await tcp.close();
      await unix.close();
    }
  });

  it('passes connect-failed through', async () => {
    const port = await closedPort();
    await expect(openTransport(`tcp:127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'connect-failed' });
  });
});
