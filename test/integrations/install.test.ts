/**
 * What `secureNoble()` and `secureBleno()` check before they take the
 * library's socket (which packages are installed, at which versions), and
 * the require hook that answers both families' socket packages.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureBleno } from '../../src/integrations/bleno/index.js';
import { secureNoble } from '../../src/integrations/noble/index.js';
import { isTestedVersion } from '../../src/integrations/shared/install.js';
import { provideHciSocket, withoutProvidedSocket } from '../../src/integrations/shared/require-hook.js';
import { TransportHciSocket } from '../../src/integrations/shared/transport-socket.js';
import { scratchDir } from '../scratch.js';

/** A project directory with these packages (name to version) installed; returns its package.json path. */
function project(packages: Record<string, string>): string {
  const dir = scratchDir('ble-smp-install-');
  for (const [name, version] of Object.entries(packages)) {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  }
  writeFileSync(join(dir, 'package.json'), '{}');
  return join(dir, 'package.json');
}

const socket = () => new TransportHciSocket();
afterEach(() => {
  delete process.env.HCI_CHANNEL_USER;
});

describe('isTestedVersion', () => {
  it('matches exact versions, and any patch release of an x pattern but no prerelease', () => {
    expect(isTestedVersion('1.9.2-26', ['1.9.2-26'])).toBe(true);
    expect(isTestedVersion('1.9.2-25', ['1.9.2-26'])).toBe(false);
    expect(isTestedVersion('2.8.0', ['2.8.x'])).toBe(true);
    expect(isTestedVersion('2.8.12', ['2.8.x'])).toBe(true);
    expect(isTestedVersion('2.9.0', ['2.8.x'])).toBe(false);
    expect(isTestedVersion('2.80.0', ['2.8.x'])).toBe(false);
    expect(isTestedVersion('2.8.1-beta.1', ['2.8.x'])).toBe(false);
  });
});

describe('secureNoble and secureBleno: the installed library', () => {
  it('accepts either family at a tested version', () => {
    expect(() => secureNoble({ from: project({ '@stoprocent/noble': '2.8.0' }), socket })).not.toThrow();
    expect(() => secureNoble({ from: project({ '@abandonware/noble': '1.9.2-26' }), socket })).not.toThrow();
    expect(() => secureBleno({ from: project({ '@stoprocent/bleno': '0.12.4' }), socket })).not.toThrow();
    expect(() => secureBleno({ from: project({ '@abandonware/bleno': '0.6.2' }), socket })).not.toThrow();
    expect(process.env.HCI_CHANNEL_USER).toBe('1');
  });

  it('names both families when neither is installed', () => {
    expect(() => secureNoble({ from: project({}), socket })).toThrow(
      /none of @stoprocent\/noble, @abandonware\/noble is installed.*npm install @stoprocent\/noble/,
    );
    expect(() => secureBleno({ from: project({}), socket })).toThrow(
      /@stoprocent\/bleno, @abandonware\/bleno/,
    );
  });

  it('refuses an untested version unless allowed, naming the package, its version and the tested ones', () => {
    const from = project({ '@stoprocent/noble': '2.9.0' });
    expect(() => secureNoble({ from, socket })).toThrow(
      /@stoprocent\/noble 2\.9\.0 is not a version the adapter is tested with \(2\.8\.x\)/,
    );
    expect(() => secureNoble({ from, socket, allowUntestedVersion: true })).not.toThrow();
  });

  it('checks every installed package of the family, or only the one named by `package`', () => {
    const from = project({ '@stoprocent/noble': '2.8.0', '@abandonware/noble': '1.9.1' });
    expect(() => secureNoble({ from, socket })).toThrow(/@abandonware\/noble 1\.9\.1/);
    expect(() => secureNoble({ from, socket, package: '@stoprocent/noble' })).not.toThrow();
    expect(() => secureNoble({ from, socket, package: '@abandonware/noble' })).toThrow(/1\.9\.1/);
    expect(() => secureNoble({ from, socket, package: '@stoprocent/bleno' })).toThrow(
      /@stoprocent\/bleno is not a package this adapter serves/,
    );
  });

  it('leaves HCI_CHANNEL_USER alone with userChannel: false', () => {
    secureNoble({ from: project({ '@stoprocent/noble': '2.8.0' }), socket, userChannel: false });
    expect(process.env.HCI_CHANNEL_USER).toBeUndefined();
  });
});

describe('provideHciSocket', () => {
  const require = createRequire(import.meta.url);
  class Fake {}

  it('answers both socket packages; the @stoprocent loadDriver gives the same class for every driver', () => {
    const restore = provideHciSocket(Fake);
    try {
      for (const name of ['@stoprocent/bluetooth-hci-socket', '@abandonware/bluetooth-hci-socket']) {
        const provided = require(name) as (new () => object) & { loadDriver(type: string): new () => object };
        expect(new provided()).toBeInstanceOf(Fake);
        for (const driver of ['default', 'native', 'uart', 'usb'])
          expect(provided.loadDriver(driver)).toBe(provided);
      }
    } finally {
      restore();
    }
  });

  it('steps aside inside withoutProvidedSocket, and once restored', () => {
    const restore = provideHciSocket(Fake);
    const real = join(process.cwd(), 'node_modules', '@stoprocent', 'bluetooth-hci-socket');
    try {
      expect(require.resolve('@stoprocent/bluetooth-hci-socket').startsWith(real)).toBe(false);
      expect(
        withoutProvidedSocket(() => require.resolve('@stoprocent/bluetooth-hci-socket')).startsWith(real),
      ).toBe(true);
    } finally {
      restore();
    }
    expect(require.resolve('@stoprocent/bluetooth-hci-socket').startsWith(real)).toBe(true);
  });
});
