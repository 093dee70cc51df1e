import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BAUD_RATE,
  formatTransport,
  parseTransport,
  TRANSPORT_FORMS,
  type TransportDescriptor,
} from '../../src/transport/parse.js';
import { TransportError } from '../../src/transport/transport.js';

/** The TransportError that parsing `spec` throws. */
function refusal(spec: string): TransportError {
  try {
    parseTransport(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error(`${JSON.stringify(spec)} was accepted`);
}

describe('parseTransport', () => {
  it.each<[string, TransportDescriptor]>([
    ['hci0', { type: 'hci-socket', devId: 0 }],
    ['hci1', { type: 'hci-socket', devId: 1 }],
    ['hci42', { type: 'hci-socket', devId: 42 }],
    ['hci65534', { type: 'hci-socket', devId: 65534 }],
    ['tcp:127.0.0.1:9000', { type: 'tcp', host: '127.0.0.1', port: 9000 }],
    ['tcp:localhost:1', { type: 'tcp', host: 'localhost', port: 1 }],
    [
      'tcp:controller.example-lab.net:65535',
      { type: 'tcp', host: 'controller.example-lab.net', port: 65535 },
    ],
    ['tcp:[::1]:9000', { type: 'tcp', host: '::1', port: 9000 }],
    ['tcp:[fe80::1%eth0]:9000', { type: 'tcp', host: 'fe80::1%eth0', port: 9000 }],
    ['tcp:[2001:db8::42]:45550', { type: 'tcp', host: '2001:db8::42', port: 45550 }],
    ['unix:/run/hci.sock', { type: 'unix', path: '/run/hci.sock' }],
    ['unix:relative/hci.sock', { type: 'unix', path: 'relative/hci.sock' }],
    ['unix:/tmp/with space:and colon', { type: 'unix', path: '/tmp/with space:and colon' }],
    ['serial:/dev/ttyACM0', { type: 'serial', path: '/dev/ttyACM0', baudRate: DEFAULT_BAUD_RATE }],
    ['serial:/dev/ttyACM0@115200', { type: 'serial', path: '/dev/ttyACM0', baudRate: 115200 }],
    ['serial:COM3@1000000', { type: 'serial', path: 'COM3', baudRate: 1000000 }],
    ['serial:/dev/by-id/a@b@921600', { type: 'serial', path: '/dev/by-id/a@b', baudRate: 921600 }],
    ['virtual', { type: 'virtual' }],
  ])('reads %s', (spec, descriptor) => {
    expect(parseTransport(spec)).toEqual(descriptor);
  });

  it('defaults the serial baud rate to 1000000', () => {
    expect(DEFAULT_BAUD_RATE).toBe(1_000_000);
  });

  it.each<[string, RegExp]>([
    ['', /it is empty/],
    [' hci0', /spaces around it/],
    ['hci0\n', /spaces around it/],
    ['hci', /adapter index N in 0\.\.65534/],
    ['hci-1', /adapter index/],
    ['hci01', /adapter index/],
    ['hci65535', /adapter index/],
    ['hcix', /adapter index/],
    ['HCI0', /"HCI0" is no known transport/],
    ['bluetooth', /"bluetooth" is no known transport/],
    ['udp:127.0.0.1:9000', /"udp" is no known transport/],
    ['tcp:', /needs a host and a port/],
    ['tcp:127.0.0.1', /needs a host and a port/],
    ['tcp::9000', /host is empty/],
    ['tcp:127.0.0.1:', /port "" is not a number/],
    ['tcp:127.0.0.1:0', /port "0" is not a number in 1\.\.65535/],
    ['tcp:127.0.0.1:65536', /port "65536"/],
    ['tcp:127.0.0.1:09000', /port "09000"/],
    ['tcp:127.0.0.1:90x', /port "90x"/],
    ['tcp:::1:9000', /IPv6 address must be in brackets/],
    ['tcp:[::1:9000', /no closing bracket/],
    ['tcp:[::1]9000', /a port must follow/],
    ['tcp:[::1]', /a port must follow/],
    ['tcp:[127.0.0.1]:9000', /is not an IPv6 address/],
    ['tcp:host/path:9000', /not a host name or address/],
    ['tcp://127.0.0.1:9000', /with no \/\//],
    ['unix:', /socket path is empty/],
    ['serial:', /serial device path is empty/],
    ['serial:@115200', /serial device path is empty/],
    ['serial:/dev/ttyACM0@', /baud rate "" after @/],
    ['serial:/dev/ttyACM0@0', /baud rate "0"/],
    ['serial:/dev/ttyACM0@fast', /baud rate "fast"/],
    ['virtual:1', /"virtual" is no known transport/],
  ])('refuses %j with bad-address (%s)', (spec, problem) => {
    const error = refusal(spec);
    expect(error.code).toBe('bad-address');
    expect(error.name).toBe('TransportError');
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`bad transport ${JSON.stringify(spec)}`);
  });

  it('lists every accepted form in its refusal', () => {
    const { message } = refusal('nowhere');
    for (const form of TRANSPORT_FORMS) expect(message).toContain(form);
    for (const example of [
      'hci0',
      'tcp:HOST:PORT',
      'tcp:[::1]:9000',
      'unix:PATH',
      'serial:PATH[@BAUD]',
      'virtual',
    ]) {
      expect(message).toContain(example);
    }
  });

  it('refuses a value that is not a string', () => {
    expect(() => parseTransport(0 as unknown as string)).toThrow(/bad transport 0: it is not a string/);
  });
});

describe('formatTransport', () => {
  it.each<[TransportDescriptor, string]>([
    [{ type: 'hci-socket', devId: 3 }, 'hci3'],
    [{ type: 'tcp', host: '127.0.0.1', port: 9000 }, 'tcp:127.0.0.1:9000'],
    [{ type: 'tcp', host: '::1', port: 9000 }, 'tcp:[::1]:9000'],
    [{ type: 'unix', path: '/run/hci.sock' }, 'unix:/run/hci.sock'],
    [{ type: 'serial', path: '/dev/ttyACM0', baudRate: 1000000 }, 'serial:/dev/ttyACM0@1000000'],
    [{ type: 'virtual' }, 'virtual'],
  ])('writes %j as %s', (descriptor, spec) => {
    expect(formatTransport(descriptor)).toBe(spec);
  });

  it('is read back unchanged by parseTransport, for any descriptor', () => {
    const descriptor: fc.Arbitrary<TransportDescriptor> = fc.oneof(
      fc.integer({ min: 0, max: 0xfffe }).map((devId) => ({ type: 'hci-socket' as const, devId })),
      fc
        .record({
          host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
          port: fc.integer({ min: 1, max: 65535 }),
        })
        .map(({ host, port }) => ({ type: 'tcp' as const, host, port })),
      fc
        .string({ minLength: 1 })
        .filter((path) => path === path.trim() && !path.startsWith('//'))
        .map((path) => ({ type: 'unix' as const, path })),
      fc
        .record({
          // As for unix: a path starting with // reads as the URL-style mistake `serial://...`, which parse refuses.
          path: fc.string({ minLength: 1 }).filter((path) => path === path.trim() && !path.startsWith('//')),
          baudRate: fc.integer({ min: 1, max: 0x7fffffff }),
        })
        .map(({ path, baudRate }) => ({ type: 'serial' as const, path, baudRate })),
      fc.constant({ type: 'virtual' as const }),
    );
    fc.assert(
      fc.property(descriptor, (d) => {
        expect(parseTransport(formatTransport(d))).toEqual(d);
      }),
      { numRuns: 2000 },
    );
  });
});
