/**
 * A noble app, unchanged but for `secureNoble()`, against our peripheral:
 * LE Secure Connections by Numeric Comparison and by Passkey, then a
 * reconnection that re-encrypts from the bond without pairing again.
 */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/host/connection.js';
import { type SecureHci, secureNoble, TransportHciSocket } from '../../src/integrations/noble/index.js';
import { IoCapability } from '../../src/smp/constants.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import {
  capturedHost,
  closedAfterEach,
  encryptionRequired,
  FAMILIES,
  type Family,
  freshNoble,
  libraryController,
  type NoblePeripheral,
  nobleDiscovers,
  until,
} from './harness.js';

const hosts = closedAfterEach();

async function pairedTwice(
  family: Family,
  ours: { io: IoCapability; delegate: PairingDelegate },
  theirs: { io: IoCapability; delegate: PairingDelegate },
) {
  const air = new VirtualAir();
  libraryController(air);
  const secure: SecureHci = secureNoble({
    socket: () => new TransportHciSocket(),
    package: `${family}/noble`,
    policy: { ioCapability: theirs.io, requestMitm: true },
    delegate: theirs.delegate,
  });
  const { host, capture } = await capturedHost(air, {
    policy: { ioCapability: ours.io, requestMitm: true },
    delegate: ours.delegate,
    att: encryptionRequired,
  });
  hosts.push(host);
  const noble = freshNoble(family);
  await until(noble, 'stateChange', (state) => state === 'poweredOn');

  const first = until<[Connection, boolean]>(host, 'encrypted');
  const bondedThere = until(secure, 'bonded');
  const peripheral: NoblePeripheral = await nobleDiscovers(host, family, noble);
  const [connection, fromBond] = await first;
  await bondedThere;
  expect(fromBond).toBe(false);
  expect(connection.encrypted).toBe(true);
  const result = host.security.bonds.list();
  expect(result).toHaveLength(1);
  await new Promise<void>((resolve) => peripheral.disconnect(() => resolve()));

  const again = until<[Connection, boolean]>(host, 'encrypted');
  const pairings: string[] = [];
  host.on('pairing', (_c, phase) => pairings.push(phase));
  await nobleDiscovers(host, family, noble);
  const [, reEncrypted] = await again;
  expect(reEncrypted).toBe(true);
  expect(pairings).toEqual([]);
  return { capture, host, secure };
}

describe.each(FAMILIES)('%s: noble with ble-smp/noble, our peripheral', (family) => {
  it('pairs by SC Numeric Comparison, then re-encrypts from the bond', async () => {
    const shown: number[] = [];
    const confirm = (value: number) => {
      shown.push(value);
      return true;
    };
    const { capture } = await pairedTwice(
      family,
      { io: IoCapability.DisplayYesNo, delegate: { ...acceptAll, confirmNumber: (_p, v) => confirm(v) } },
      { io: IoCapability.DisplayYesNo, delegate: { ...acceptAll, confirmNumber: (_p, v) => confirm(v) } },
    );
    expect(shown).toHaveLength(2);
    expect(shown[0]).toBe(shown[1]);
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.method).toBe('secure-connections');
    expect(pairing.model).toBe('numeric-comparison');
    expect(pairing.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('pairs by SC Passkey, then re-encrypts from the bond', async () => {
    let show: (passkey: number) => void = () => undefined;
    const passkey = new Promise<number>((resolve) => {
      show = resolve;
    });
    const { capture } = await pairedTwice(
      family,
      { io: IoCapability.DisplayOnly, delegate: { ...acceptAll, displayPasskey: (_p, k) => show(k) } },
      { io: IoCapability.KeyboardOnly, delegate: { ...acceptAll, enterPasskey: () => passkey } },
    );
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.method).toBe('secure-connections');
    expect(String(pairing.model)).toContain('passkey');
  });
});
