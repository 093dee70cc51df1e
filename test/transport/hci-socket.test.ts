import { describe, expect, it } from 'vitest';
import type { HciPacket } from '../../src/hci/h4.js';
import { openHciSocketTransport } from '../../src/transport/hci-socket.js';
import { openTransport } from '../../src/transport/open.js';
import { TransportError } from '../../src/transport/transport.js';
import { errnoError, fakeHciSocketModule, isInstalled } from './fakes.js';

const hci0 = { type: 'hci-socket', devId: 0 } as const;
const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };
const PACKAGE = '@abandonware/bluetooth-hci-socket';

/** Opens hci0 on "linux" with a fake module; resolves with the transport and the fake's records. */
async function openFake(options: Parameters<typeof fakeHciSocketModule>[0] = {}, devId = 0) {
  const fake = fakeHciSocketModule(options);
  const transport = await openHciSocketTransport(
    { type: 'hci-socket', devId },
    { platform: 'linux', load: async () => fake.module },
  );
  return { transport, socket: fake.sockets[0]!, sockets: fake.sockets };
}

/** The TransportError an opening with a failing bind rejects with. */
async function bindFailure(error: Error): Promise<TransportError> {
  const attempt = openFake({ bindError: error });
  await expect(attempt).rejects.toBeInstanceOf(TransportError);
  return attempt.then(
    () => {
      throw new Error('opened');
    },
    (e: unknown) => e as TransportError,
  );
}

describe('openHciSocketTransport', () => {
  it('refuses on anything but Linux with not-linux, before loading the package', async () => {
    let loaded = false;
    const attempt = openHciSocketTransport(hci0, {
      platform: 'darwin',
      load: async () => {
        loaded = true;
        return fakeHciSocketModule().module;
      },
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'TransportError',
      code: 'not-linux',
      message: expect.stringMatching(
        /^hci0: the HCI user channel exists on Linux only, and this is darwin: .*serial:PATH or tcp:HOST:PORT/,
      ),
    });
    expect(loaded).toBe(false);
  });

  it.skipIf(isInstalled(PACKAGE))(
    'says how to install the package when it is not installed (the real import; skipped where the optional package is installed, since the import then succeeds)',
    async () => {
      const attempt = openHciSocketTransport(hci0, { platform: 'linux' });
      await expect(attempt).rejects.toMatchObject({
        code: 'missing-module',
        message: `hci0 needs the optional package ${PACKAGE}, which is not installed: install it: npm install ${PACKAGE}`,
      });
    },
  );

  it('says how to install the package when an injected loader cannot find it', async () => {
    const notFound = errnoError(
      'ERR_MODULE_NOT_FOUND',
      `Cannot find package '${PACKAGE}' imported from /app/x.js`,
    );
    const attempt = openHciSocketTransport(hci0, { platform: 'linux', load: () => Promise.reject(notFound) });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining(`is not installed: install it: npm install ${PACKAGE}`),
      cause: notFound,
    });
  });

  it('reports a package whose native binding does not load, with the error and the install command', async () => {
    const broken = errnoError(
      'MODULE_NOT_FOUND',
      "Cannot find module '../build/Release/bluetooth_hci_socket.node'",
    );
    const attempt = openHciSocketTransport(hci0, { platform: 'linux', load: () => Promise.reject(broken) });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringMatching(
        /failed to load \(Cannot find module '..\/build\/Release\/bluetooth_hci_socket.node'\): install it: npm install @abandonware\/bluetooth-hci-socket$/,
      ),
    });
  });

  it('refuses a package that exports no constructor', async () => {
    const attempt = openHciSocketTransport(hci0, { platform: 'linux', load: async () => ({ default: {} }) });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining('does not export the BluetoothHciSocket class'),
    });
  });

  it.each(['EPERM', 'EACCES'])(
    'turns %s from bind into permission, with the setcap command',
    async (code) => {
      const error = await bindFailure(errnoError(code, `${code}, Operation not permitted`));
      expect(error.code).toBe('permission');
      expect(error.message).toContain('run with CAP_NET_ADMIN');
      expect(error.message).toContain(
        'sudo setcap cap_net_admin,cap_net_raw+eip $(eval readlink -f $(which node))',
      );
      expect((error.cause as NodeJS.ErrnoException).code).toBe(code);
    },
  );

  it('turns EBUSY into busy, saying how to take the adapter from bluetoothd', async () => {
    const error = await bindFailure(errnoError('EBUSY', 'EBUSY, Device or resource busy'));
    expect(error.code).toBe('busy');
    expect(error.message).toContain('sudo systemctl stop bluetooth');
    expect(error.message).toContain('sudo hciconfig hci0 down');
  });

  it.each([
    ['ENODEV', 'No such device', 'no-device', /^hci0 does not exist: list the adapters with `hciconfig`/],
    ['ERFKILL', 'Operation not possible due to RF-kill', 'blocked', /rfkill unblock bluetooth/],
    ['EAFNOSUPPORT', 'Address family not supported by protocol', 'unsupported', /sudo modprobe bluetooth/],
    [
      'EINVAL',
      'Invalid argument',
      'connect-failed',
      /^hci0: cannot open the HCI user channel \(EINVAL, Invalid argument\)$/,
    ],
  ])('turns %s (%s) into %s', async (errno, text, code, message) => {
    const error = await bindFailure(errnoError(errno, `${errno}, ${text}`));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('finds the errno in the message when the error has no code', async () => {
    const error = await bindFailure(new Error('EBUSY, Device or resource busy'));
    expect(error.code).toBe('busy');
  });

  it('maps a failing start() the same way, and stops the socket', async () => {
    const fake = fakeHciSocketModule({ startError: errnoError('EPERM', 'EPERM, Operation not permitted') });
    const attempt = openHciSocketTransport(hci0, { platform: 'linux', load: async () => fake.module });
    await expect(attempt).rejects.toMatchObject({ code: 'permission' });
    expect(fake.sockets[0]?.stopped).toBe(true);
  });

  it('binds the user channel of the device, starts it, and round-trips packets with a fake socket', async () => {
    const { transport, socket } = await openFake({}, 2);
    expect(socket.boundTo).toBe(2);
    expect(socket.started).toBe(true);
    const echoed = new Promise<HciPacket>((resolve) => transport.onPacket(resolve));
    transport.send(reset);
    expect(socket.written).toEqual([Buffer.of(0x01, 0x03, 0x0c, 0x00)]);
    expect(await echoed).toEqual(reset);
    const heard: (Error | undefined)[] = [];
    transport.onClose((error) => heard.push(error));
    await transport.close();
    expect(socket.stopped).toBe(true);
    expect(heard).toEqual([undefined]);
    expect(() => transport.send(reset)).toThrow(expect.objectContaining({ code: 'closed' }));
  });

  it('frames data events however they split', async () => {
    const { transport, socket } = await openFake({ echo: false });
    const packets: HciPacket[] = [];
    transport.onPacket((p) => packets.push(p));
    socket.emit('data', Buffer.of(0x04, 0x0e));
    socket.emit('data', Buffer.of(0x01, 0x05, 0x04, 0x0f, 0x00));
    expect(packets).toEqual([
      { type: 'event', data: Uint8Array.of(0x0e, 0x01, 0x05) },
      { type: 'event', data: Uint8Array.of(0x0f, 0x00) },
    ]);
    await transport.close();
  });

  it('closes with framing on a data event that breaks H4, and with io on an error event', async () => {
    const broken = await openFake({ echo: false });
    const framing = new Promise((resolve) => broken.transport.onClose(resolve));
    broken.socket.emit('data', Buffer.of(0x09, 0x00));
    expect(await framing).toMatchObject({
      code: 'framing',
      message: expect.stringMatching(/^hci0: H4: octet 0x09/),
    });
    expect(broken.socket.stopped).toBe(true);

    const failing = await openFake({ echo: false });
    const io = new Promise((resolve) => failing.transport.onClose(resolve));
    failing.socket.emit('error', errnoError('ENETDOWN', 'ENETDOWN, Network is down', 'write'));
    expect(await io).toMatchObject({ code: 'io', message: 'hci0: ENETDOWN, Network is down' });
  });

  it('is what openTransport("hciN") opens', async () => {
    const fake = fakeHciSocketModule();
    const transport = await openTransport('hci3', {
      platform: 'linux',
      loadHciSocket: async () => fake.module,
    });
    expect(fake.sockets[0]?.boundTo).toBe(3);
    await transport.close();
    await expect(openTransport('hci0', { platform: 'win32' })).rejects.toMatchObject({ code: 'not-linux' });
  });
});
