import { describe, expect, it } from 'vitest';
import type { HciPacket } from '../../src/hci/h4.js';
import { openHciSocketTransport } from '../../src/transport/hci-socket.js';
import { HCI_SOCKET_PACKAGES } from '../../src/transport/hci-socket-package.js';
import { openTransport } from '../../src/transport/open.js';
import { TransportError } from '../../src/transport/transport.js';
import { errnoError, fakeHciSocketModule, isInstalled } from './fakes.js';

const hci0 = { type: 'hci-socket', devId: 0 } as const;
const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };
const STOPROCENT = '@stoprocent/bluetooth-hci-socket';
const ABANDONWARE = '@abandonware/bluetooth-hci-socket';
/** The socket packages resolvable from here: with any, the real import finds one, so it cannot show their absence. */
const installed = HCI_SOCKET_PACKAGES.filter(isInstalled);
/** The error message of hci0 when neither package is installed. */
const NEITHER =
  `hci0 needs an HCI socket package, and none loaded: ${STOPROCENT} is not installed; ${ABANDONWARE} is not installed. ` +
  `Install the prebuilt one: \`npm install ${STOPROCENT}\` (prebuilt for Linux x64, arm and arm64, no compiler needed); ` +
  `${ABANDONWARE} is compiled from source (it needs build-essential and python3)`;

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

  it.skipIf(installed.length > 0)(
    'names both packages and recommends the prebuilt one when neither is installed (the real import' +
      (installed.length > 0
        ? `; skipped: ${installed.join(' and ')} ${installed.length > 1 ? 'are' : 'is'} installed here, so the import finds a package)`
        : ')'),
    async () => {
      const attempt = openHciSocketTransport(hci0, { platform: 'linux' });
      await expect(attempt).rejects.toMatchObject({ code: 'missing-module', message: NEITHER });
    },
  );

  it('opens through @stoprocent/bluetooth-hci-socket when both packages load', async () => {
    const preferred = fakeHciSocketModule();
    const fallback = fakeHciSocketModule();
    const transport = await openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: { [STOPROCENT]: async () => preferred.module, [ABANDONWARE]: async () => fallback.module },
    });
    expect(preferred.sockets).toHaveLength(1);
    expect(preferred.sockets[0]?.boundTo).toBe(0);
    expect(fallback.sockets).toHaveLength(0);
    await transport.close();
  });

  it("binds the @stoprocent package's native driver (loadDriver('native'))", async () => {
    const native = fakeHciSocketModule();
    const other = fakeHciSocketModule();
    const asked: string[] = [];
    const loadDriver = (type: string) => {
      asked.push(type);
      return type === 'native' ? native.module.default : other.module.default;
    };
    const transport = await openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: {
        [STOPROCENT]: async () => ({
          default: Object.assign(other.module.default, { loadDriver }),
          loadDriver,
        }),
      },
    });
    expect(asked).toEqual(['native']);
    expect(native.sockets).toHaveLength(1);
    expect(other.sockets).toHaveLength(0);
    await transport.close();
  });

  it('falls back to @abandonware/bluetooth-hci-socket when @stoprocent/bluetooth-hci-socket is not installed', async () => {
    const notFound = errnoError(
      'ERR_MODULE_NOT_FOUND',
      `Cannot find package '${STOPROCENT}' imported from /app/x.js`,
    );
    const fallback = fakeHciSocketModule();
    const transport = await openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: { [STOPROCENT]: () => Promise.reject(notFound), [ABANDONWARE]: async () => fallback.module },
    });
    expect(fallback.sockets[0]?.boundTo).toBe(0);
    await transport.close();
  });

  it('names both packages and recommends the prebuilt one when neither is found', async () => {
    const notFound = (name: string) =>
      errnoError('ERR_MODULE_NOT_FOUND', `Cannot find package '${name}' imported from /app/x.js`);
    const attempt = openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: {
        [STOPROCENT]: () => Promise.reject(notFound(STOPROCENT)),
        [ABANDONWARE]: () => Promise.reject(notFound(ABANDONWARE)),
      },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: NEITHER,
      cause: expect.any(AggregateError),
    });
  });

  it('takes load as the loader of @abandonware/bluetooth-hci-socket alone (what openTransport passes)', async () => {
    const notFound = errnoError(
      'ERR_MODULE_NOT_FOUND',
      `Cannot find package '${ABANDONWARE}' imported from /app/x.js`,
    );
    const attempt = openHciSocketTransport(hci0, { platform: 'linux', load: () => Promise.reject(notFound) });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: NEITHER,
      cause: notFound,
    });
  });

  it('reports a package that is installed but whose native binding does not load, with its error', async () => {
    const broken = errnoError(
      'MODULE_NOT_FOUND',
      "Cannot find module '../build/Release/bluetooth_hci_socket.node'\nRequire stack:\n- /app/node_modules/x.js",
    );
    const attempt = openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: { [STOPROCENT]: () => Promise.reject(broken) },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining(
        `${STOPROCENT} is installed but failed to load (Cannot find module '../build/Release/bluetooth_hci_socket.node'; `,
      ),
      cause: broken,
    });
  });

  it('passes over a package that exports no constructor, and says so when none is left', async () => {
    const attempt = openHciSocketTransport(hci0, {
      platform: 'linux',
      loaders: { [STOPROCENT]: async () => ({ default: {} }) },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining(
        `${STOPROCENT} is installed but failed to load (it exports no BluetoothHciSocket class); ${ABANDONWARE} is not installed.`,
      ),
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

  it('turns EBUSY into busy, saying how to take the adapter from bluetoothd with systemctl or btmgmt', async () => {
    const error = await bindFailure(errnoError('EBUSY', 'EBUSY, Device or resource busy'));
    expect(error.code).toBe('busy');
    expect(error.message).toContain('sudo systemctl stop bluetooth');
    expect(error.message).toContain('sudo btmgmt --index 0 power off');
    expect(error.message).not.toContain('hciconfig');
    const hci2 = await openFake(
      { bindError: errnoError('EBUSY', 'EBUSY, Device or resource busy') },
      2,
    ).catch((e: unknown) => e as TransportError);
    expect(hci2).toMatchObject({
      code: 'busy',
      message: expect.stringContaining('sudo btmgmt --index 2 power off'),
    });
  });

  it.each([
    ['ENODEV', 'No such device', 'no-device', /^hci0 does not exist: list the adapters with `btmgmt info`$/],
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
