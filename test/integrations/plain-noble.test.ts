/**
 * The plain noble central (no adapter) against our peripheral: legacy Just
 * Works when legacy is allowed, refused with Authentication Requirements
 * (0x03) under the default Secure Connections only policy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/host/connection.js';
import type { Host } from '../../src/host/host.js';
import { PairingError } from '../../src/host/security-errors.js';
import { Reason } from '../../src/smp/constants.js';
import { auditTrace } from '../../src/trace/index.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import {
  capturedHost,
  encryptionRequired,
  FAMILIES,
  libraryController,
  nobleDiscovers,
  until,
} from './harness.js';

let hosts: Host[] = [];
afterEach(async () => {
  for (const host of hosts) await host.close();
  hosts = [];
});

describe.each(FAMILIES)('%s: plain noble central, our peripheral', (family) => {
  it('pairs by legacy Just Works when legacy is allowed; the auditor names what noble does', async () => {
    delete process.env.HCI_CHANNEL_USER;
    const air = new VirtualAir();
    libraryController(air);
    const { host, capture } = await capturedHost(air, {
      policy: { allowLegacy: true },
      att: encryptionRequired,
    });
    hosts.push(host);
    const encrypted = until<[Connection, boolean]>(host, 'encrypted');
    await nobleDiscovers(host, family);
    const [connection, bonded] = await encrypted;
    expect(bonded).toBe(false);
    expect(connection.encrypted).toBe(true);
    const report = auditTrace(capture());
    const pairing = report.pairings[0]!;
    expect(pairing.method).toBe('legacy');
    expect(pairing.outcome).toBe('completed');
    // noble's legacy Just Works itself is by the book on the air (the keys it drops never show in a trace).
    expect(
      pairing.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.rule}`),
    ).toEqual(['warning legacy-pairing']);
    expect(pairing.findings.map((f) => f.rule)).toContain('stk-verified');
  });

  it('is refused with Authentication Requirements (0x03) under the default SC-only policy', async () => {
    delete process.env.HCI_CHANNEL_USER;
    const air = new VirtualAir();
    libraryController(air);
    const { host, capture } = await capturedHost(air, { att: encryptionRequired });
    hosts.push(host);
    const incoming = until<[Connection]>(host, 'connection');
    void nobleDiscovers(host, family);
    const [connection] = await incoming;
    const error = await connection.pair().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ reason: Reason.AuthenticationRequirements, by: 'local' });
    expect(connection.encrypted).toBe(false);
    expect([...host.security.bonds.list()]).toEqual([]);
    const pairing = auditTrace(capture()).pairings[0]!;
    expect(pairing.outcome).toBe('failed');
    expect(pairing.findings.map((f) => f.rule)).toEqual(['pairing-failed']);
    expect(pairing.findings[0]!.message).toContain('responder');
    expect(pairing.findings[0]!.message).toContain('0x03');
  });
});
