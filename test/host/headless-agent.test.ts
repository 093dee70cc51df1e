import { describe, expect, it } from 'vitest';
import { Host } from '../../src/host/host.js';
import { PairingError } from '../../src/host/security-errors.js';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { formatAddress } from '../../src/smp/delegate.js';
import { HeadlessAgent } from '../../src/smp/headless-agent.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { connectHosts, PERIPHERAL, tb } from './virtual-hosts.js';

describe('the headless agent on a peripheral, through the full stack', () => {
  it('refuses outside the window (0x05), accepts inside it, and lets an allowlisted central pair at any time', async () => {
    const air = new VirtualAir();
    const friendController = air.createController({
      address: Uint8Array.of(0x70, 0x50, 0x15, 0xeb, 0x27, 0xb8),
    });
    let shown: number | undefined;
    const agent = new HeadlessAgent({
      allowlist: ['b8:27:eb:15:50:70'],
      displayPasskey: (_peer, passkey) => {
        shown = passkey;
      },
    });
    const speaker = await Host.open(air.createController({ address: PERIPHERAL }), {
      crypto: tb,
      delegate: agent,
      policy: agent.policy,
    });
    const typist = { ...agent, enterPasskey: () => shown ?? null, confirmNumber: () => true };
    const phone = await Host.open(air.createController(), {
      crypto: tb,
      policy: { ioCapability: IoCapability.KeyboardDisplay },
      delegate: {
        acceptPairing: () => true,
        confirmJustWorks: () => true,
        confirmNumber: () => true,
        displayPasskey: () => undefined,
        enterPasskey: () => typist.enterPasskey(),
        oobData: () => null,
      },
    });
    const friend = await Host.open(friendController, { crypto: tb });
    expect(formatAddress(friend.address.address)).toBe('b8:27:eb:15:50:70');
    try {
      const first = await connectHosts(phone, speaker);
      const refused = await first.c.pair().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PairingError);
      expect(refused).toMatchObject({ reason: Reason.PairingNotSupported, by: 'peer' });
      await first.c.disconnect();

      // The approval signal (a button, an HTTP call): the next pairing within the window is accepted,
      // by Passkey Entry, the passkey shown through the callback.
      agent.approve(10_000);
      // The refusal started the Repeated Attempts wait (2 s) for the phone; the test does not sit it out.
      speaker.security.attempts.recordSuccess(`${formatAddress(phone.address.address)}/0`);
      const second = await connectHosts(phone, speaker);
      const paired = await second.c.pair();
      expect(paired).toMatchObject({ model: 'passkey', authenticated: true });
      expect(shown).toBeTypeOf('number');
      await second.c.disconnect();

      // The allowlisted device pairs with the window closed (Just Works: it has no IO).
      agent.close();
      const third = await connectHosts(friend, speaker);
      expect(await third.c.pair()).toMatchObject({ model: 'just-works' });
    } finally {
      await Promise.allSettled([phone.close(), speaker.close(), friend.close()]);
    }
  });
});
