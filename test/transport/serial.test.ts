import { describe, expect, it } from 'vitest';
import type { HciPacket } from '../../src/hci/h4.js';
import { openTransport } from '../../src/transport/open.js';
import { openSerialTransport } from '../../src/transport/serial.js';
import { TransportError } from '../../src/transport/transport.js';
import { errnoError, fakeSerialPortModule, isInstalled } from './fakes.js';

const acm0 = { type: 'serial', path: '/dev/ttyACM0', baudRate: 1_000_000 } as const;
const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };

async function openFailure(openError: Error): Promise<TransportError> {
  const fake = fakeSerialPortModule({ openError });
  return openSerialTransport(acm0, { load: async () => fake.module }).then(
    () => {
      throw new Error('opened');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(TransportError);
      return e as TransportError;
    },
  );
}

describe('openSerialTransport', () => {
  it.skipIf(isInstalled('serialport'))(
    'says how to install serialport when it is not installed (the real import)',
    async () => {
      await expect(openSerialTransport(acm0)).rejects.toMatchObject({
        code: 'missing-module',
        message:
          'serial:/dev/ttyACM0@1000000 needs the optional package serialport, which is not installed: ' +
          'install it: npm install serialport',
      });
    },
  );

  it('says how to install serialport when an injected loader cannot find it', async () => {
    const notFound = errnoError(
      'ERR_MODULE_NOT_FOUND',
      "Cannot find package 'serialport' imported from /app/x.js",
    );
    await expect(openSerialTransport(acm0, { load: () => Promise.reject(notFound) })).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining('install it: npm install serialport'),
      cause: notFound,
    });
  });

  it('refuses a serialport without the SerialPort class', async () => {
    await expect(openSerialTransport(acm0, { load: async () => ({ default: {} }) })).rejects.toMatchObject({
      code: 'missing-module',
      message: expect.stringContaining('does not export the SerialPort class'),
    });
  });

  it('turns a permission error into permission, with the group to join', async () => {
    const error = await openFailure(new Error('Error: Permission denied, cannot open /dev/ttyACM0'));
    expect(error.code).toBe('permission');
    expect(error.message).toMatch(/no permission to open \/dev\/ttyACM0: .*usermod -aG dialout/);
  });

  it('turns a locked port into busy', async () => {
    const error = await openFailure(new Error('Error Resource temporarily unavailable Cannot lock port'));
    expect(error.code).toBe('busy');
    expect(error.message).toContain('/dev/ttyACM0 is in use by another program');
  });

  it('turns a missing device into no-device, and anything else into connect-failed', async () => {
    expect(
      (await openFailure(new Error('Error: No such file or directory, cannot open /dev/ttyACM0'))).code,
    ).toBe('no-device');
    const other = await openFailure(errnoError('EIO', 'Error: Input/output error setting custom baud rate'));
    expect(other.code).toBe('connect-failed');
    expect(other.message).toBe(
      'serial:/dev/ttyACM0@1000000: cannot open /dev/ttyACM0 (Error: Input/output error setting custom baud rate)',
    );
  });

  it('maps a constructor that throws the same way', async () => {
    const fake = fakeSerialPortModule({ constructError: errnoError('EACCES', 'EACCES: permission denied') });
    await expect(openSerialTransport(acm0, { load: async () => fake.module })).rejects.toMatchObject({
      code: 'permission',
    });
  });

  it('opens the port with the path, baud rate and flow control, and round-trips packets through a fake port', async () => {
    const fake = fakeSerialPortModule();
    const transport = await openSerialTransport(
      { type: 'serial', path: '/dev/ttyUSB1', baudRate: 115200 },
      { load: async () => fake.module, rtscts: true },
    );
    const port = fake.ports[0]!;
    expect(port.options).toEqual({ path: '/dev/ttyUSB1', baudRate: 115200, rtscts: true, autoOpen: false });
    expect(port.opened).toBe(true);
    const echoed = new Promise<HciPacket>((resolve) => transport.onPacket(resolve));
    transport.send(reset);
    expect(await echoed).toEqual(reset);
    expect(Buffer.concat(port.written)).toEqual(Buffer.of(0x01, 0x03, 0x0c, 0x00));
    await transport.close();
    expect(port.destroyed).toBe(true);
  });

  it('closes with framing when the UART yields garbage (a wrong baud rate)', async () => {
    const fake = fakeSerialPortModule();
    const transport = await openSerialTransport(acm0, { load: async () => fake.module });
    const closed = new Promise((resolve) => transport.onClose(resolve));
    fake.ports[0]!.push(Buffer.of(0xf8, 0x80));
    expect(await closed).toMatchObject({
      code: 'framing',
      message: expect.stringMatching(/and, on a UART, the baud rate/),
    });
  });

  it('is what openTransport("serial:PATH@BAUD") opens, with flow control off by default', async () => {
    const fake = fakeSerialPortModule();
    const transport = await openTransport('serial:/dev/ttyACM0@921600', {
      loadSerialPort: async () => fake.module,
    });
    expect(fake.ports[0]?.options).toEqual({
      path: '/dev/ttyACM0',
      baudRate: 921600,
      rtscts: false,
      autoOpen: false,
    });
    await transport.close();
  });
});
