/**
 * A bleno app with `secureBleno()` against our central: LE Secure
 * Connections and a bond, then re-encryption from it, the adapter answering
 * the LE Long Term Key Request that bleno never answers on the user channel.
 */
import { describe, expect, it } from 'vitest';
import { secureBleno, TransportHciSocket } from '../../src/integrations/bleno/index.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import {
  type Bleno,
  blenoAdvertising,
  capturedHost,
  closedAfterEach,
  FAMILIES,
  LIBRARY_ADDRESS,
  libraryController,
  until,
} from './harness.js';

const hosts = closedAfterEach();

describe.each(FAMILIES)('%s: bleno with ble-smp/bleno, our central', (family) => {
  it('pairs by LE Secure Connections, bonds, and re-encrypts from the bond', async () => {
    const air = new VirtualAir();
    libraryController(air);
    const secure = secureBleno({ socket: () => new TransportHciSocket(), package: `${family}/bleno` });
    const { host, capture } = await capturedHost(air, {});
    hosts.push(host);
    const bonded = until(secure, 'bonded');
    const bleno: Bleno = await blenoAdvertising(family);
    const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
    const result = await connection.pair();
    expect(result.secureConnections).toBe(true);
    await bonded;
    expect(secure.security.bonds.list()).toHaveLength(1);
    expect(host.security.bonds.list()).toHaveLength(1);
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.method).toBe('secure-connections');
    expect(pairing.findings.filter((f) => f.severity !== 'info')).toEqual([]);

    // bleno restarts advertising by itself once it hears of the disconnection.
    const gone = until(bleno, 'disconnect');
    await connection.disconnect();
    await gone;
    const fromBond = until<[number, unknown, boolean]>(secure, 'encrypted');
    const again = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
    const outcome = await again.secure();
    expect(outcome.kind).toBe('encrypted');
    expect(again.encrypted).toBe(true);
    // The adapter answered bleno's LE Long Term Key Request from the bond: no second pairing.
    const [, , bondUsed] = await fromBond;
    expect(bondUsed).toBe(true);
    expect(auditTrace(capture()).pairings).toHaveLength(1);
  });
});
