/**
 * The plain bleno peripheral (no adapter) against our central.
 * `@abandonware/bleno` 0.6.2: legacy Just Works when legacy is allowed,
 * refused with Authentication Requirements (0x03) under the default Secure
 * Connections only policy. `@stoprocent/bleno` 0.12: never answers a Pairing
 * Request at all (its SMP takes the connection handle its ACL stream now
 * passes first for the CID), so the central's SMP timer expires.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/host.js';
import { PairingError } from '../../src/host/security-errors.js';
import { Reason } from '../../src/smp/constants.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { blenoAdvertising, capturedHost, LIBRARY_ADDRESS, libraryController } from './harness.js';

let hosts: Host[] = [];
afterEach(async () => {
  for (const host of hosts) await host.close();
  hosts = [];
});

describe('plain @abandonware/bleno peripheral, our central', () => {
  it('pairs by legacy Just Works when legacy is allowed; the auditor names what bleno does', async () => {
    delete process.env.HCI_CHANNEL_USER;
    const air = new VirtualAir();
    libraryController(air);
    const { host, capture } = await capturedHost(air, { policy: { allowLegacy: true } });
    hosts.push(host);
    await blenoAdvertising('@abandonware');
    const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
    const result = await connection.pair();
    // bleno sends its STK back as the LTK with EDIV 0 and Rand 0: ble-smp tolerates the key (legacy was allowed)...
    expect(result.peerKeys.ediv).toBe(0);
    expect([...(result.peerKeys.rand ?? [])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(connection.encrypted).toBe(true);
    // ...and the auditor names the violation in the capture.
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.method).toBe('legacy');
    expect(pairing.outcome).toBe('completed');
    const nonRandom = pairing.findings.filter((f) => f.rule === 'non-random');
    expect(nonRandom.map((f) => f.severity)).toEqual(['error']);
    expect(nonRandom[0]!.message).toContain("responder's Rand");
  });

  it('is refused with Authentication Requirements (0x03) under the default SC-only policy', async () => {
    delete process.env.HCI_CHANNEL_USER;
    const air = new VirtualAir();
    libraryController(air);
    const { host, capture } = await capturedHost(air, {});
    hosts.push(host);
    await blenoAdvertising('@abandonware');
    const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
    const error = await connection.pair().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ reason: Reason.AuthenticationRequirements, by: 'local' });
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.outcome).toBe('failed');
    expect(pairing.findings.map((f) => f.rule)).toEqual(['legacy-pairing', 'pairing-failed']);
    expect(pairing.findings[1]!.message).toContain('initiator');
    expect(pairing.findings[1]!.message).toContain('0x03');
  });
});

describe('plain @stoprocent/bleno peripheral, our central', () => {
  it('never answers a Pairing Request: our SMP timer expires, nothing is stored on our side', async () => {
    delete process.env.HCI_CHANNEL_USER;
    const air = new VirtualAir();
    libraryController(air);
    const { host, capture } = await capturedHost(air, { policy: { allowLegacy: true }, smpTimeoutMs: 1000 });
    hosts.push(host);
    await blenoAdvertising('@stoprocent');
    const connection = await host.connect(LIBRARY_ADDRESS, 0, { timeoutMs: 2000 });
    const error = await connection.pair().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ timeout: true });
    expect(host.security.bonds.list()).toEqual([]);
    // Our Pairing Request went out; no Pairing Response came back.
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.outcome).toBe('incomplete');
  });
});
