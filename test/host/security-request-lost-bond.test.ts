/**
 * A peripheral that lost its bond sends a Security Request; the central
 * answers by encrypting with its own bond, and the peripheral refuses the LTK
 * Request (Key Missing). Nobody awaits that encryption: its failure is
 * reported (`encryption-failed`), not dropped, and the peripheral's secure()
 * is not left waiting for good.
 */
import { describe, expect, it } from 'vitest';
import { EncryptionError } from '../../src/host/security-errors.js';
import { connectHosts, virtualHosts } from './virtual-hosts.js';

describe('a Security Request from a peripheral that lost the bond', () => {
  it("reports the central's failed encryption with the bond as encryption-failed (key-missing)", async () => {
    const { c, p } = await virtualHosts();
    const first = await connectHosts(c, p);
    await first.c.pair();
    expect([...c.security.bonds.list()]).toHaveLength(1);
    await first.c.disconnect();
    // The peripheral forgets the central.
    for (const bond of [...p.security.bonds.list()]) p.security.bonds.delete(bond.peer);
    expect([...p.security.bonds.list()]).toEqual([]);

    const again = await connectHosts(c, p);
    const failed = new Promise<Error>((resolve) => again.c.once('encryption-failed', resolve));
    void again.p.secure().catch(() => undefined); // the Security Request
    const error = await failed;
    expect(error).toBeInstanceOf(EncryptionError);
    expect(error).toMatchObject({ code: 'key-missing' });
    expect(again.c.encrypted).toBe(false);
    await c.close();
    await p.close();
  });
});
