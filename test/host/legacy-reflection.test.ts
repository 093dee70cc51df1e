/**
 * Issue 15, item 1, through the host on the virtual controller: a peer whose
 * SMP PDUs are rewritten on their way to the air (see smp-tap.ts) reflects our
 * confirm or random, or commits to our random, in LE legacy Passkey Entry and
 * Just Works. Our host fails the pairing with Confirm Value Failed (0x04)
 * before its own random goes out, the link is never encrypted, and no bond is
 * kept. The engine-level tests are test/smp/legacy-reflection.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import { PairingError } from '../../src/host/security-errors.js';
import { IoCapability, Reason } from '../../src/smp/constants.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { type SmpRewrite, smpTap } from './smp-tap.js';
import { connectHosts, PERIPHERAL, tb } from './virtual-hosts.js';

const PASSKEY = 123456;
const legacy = (ioCapability: IoCapability) => ({
  allowLegacy: true,
  secureConnections: false,
  ioCapability,
});
/** A user who types the passkey the other side shows. */
const typist: PairingDelegate = { ...acceptAll, enterPasskey: () => PASSKEY };
const Opcode = { Request: 0x01, Response: 0x02, Confirm: 0x03, Random: 0x04 } as const;
const last = (pdus: readonly Uint8Array[], opcode: number) => pdus.findLast((pdu) => pdu[0] === opcode);

const open: Host[] = [];
afterEach(async () => {
  for (const host of open.splice(0)) await host.close();
});

/**
 * An honest host (`victim`) and a host whose outgoing SMP goes through
 * `rewrite` (`attacker`), on one air; `attackerIsCentral` picks the roles.
 */
async function staged(
  attackerIsCentral: boolean,
  rewrite: SmpRewrite,
  victim: HostOptions,
  attacker: HostOptions,
) {
  const air = new VirtualAir();
  const tapped = smpTap(air.createController(attackerIsCentral ? {} : { address: PERIPHERAL }), rewrite);
  const honest = smpTap(air.createController(attackerIsCentral ? { address: PERIPHERAL } : {}));
  const a = await Host.open(tapped.transport, { crypto: tb, delegate: typist, ...attacker });
  const v = await Host.open(honest.transport, { crypto: tb, delegate: typist, ...victim });
  open.push(a, v);
  const [central, peripheral] = attackerIsCentral ? [a, v] : [v, a];
  const link = await connectHosts(central, peripheral);
  const victimLink = attackerIsCentral ? link.p : link.c;
  const failure = new Promise<PairingError>((resolve) =>
    v.once('pairing-failed', (_connection, error) => resolve(error)),
  );
  let encrypted = false;
  victimLink.on('encrypted', () => {
    encrypted = true;
  });
  const pairing = link.c.pair().catch((error: Error) => error);
  return { victim: v, victimLink, failure, pairing, victimSent: honest.log.sent, encrypted: () => encrypted };
}

/** What every refused attack leaves: 0x04 by us, our random never sent, no encryption, no bond. */
async function expectRefused(run: Awaited<ReturnType<typeof staged>>, message: RegExp) {
  // The initiator's pair() settles either way; an attack that got through leaves no failure to wait for.
  const settled = run.pairing.then(
    () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
  );
  const error = await Promise.race([run.failure, settled]);
  expect(error, 'our host failed the pairing').toBeInstanceOf(PairingError);
  if (!error) return;
  expect({ reason: error.reason, by: error.by }).toEqual({ reason: Reason.ConfirmValueFailed, by: 'local' });
  expect(error.message).toMatch(message);
  expect(await run.pairing).toBeInstanceOf(Error);
  expect(run.victimSent.some((pdu) => pdu[0] === Opcode.Random)).toBe(false);
  expect(last(run.victimSent, 0x05)?.[1]).toBe(Reason.ConfirmValueFailed);
  expect(run.encrypted()).toBe(false);
  expect([...run.victim.security.bonds.list()]).toEqual([]);
}

describe('legacy reflection through the host on the virtual controller', () => {
  it('control: the same staging without a rewrite pairs, authenticated legacy Passkey Entry', async () => {
    const run = await staged(
      false,
      (pdu) => pdu,
      { policy: legacy(IoCapability.KeyboardOnly) },
      { policy: legacy(IoCapability.DisplayOnly), fixedPasskey: PASSKEY },
    );
    const result = await run.pairing;
    expect(result).not.toBeInstanceOf(Error);
    expect(result).toMatchObject({ model: 'passkey', method: 'legacy', authenticated: true });
    expect([...run.victim.security.bonds.list()]).toHaveLength(1);
  });

  it('our central, Passkey Entry: the peripheral sends our Mconfirm back as its Sconfirm -> 0x04 before Mrand', async () => {
    const run = await staged(
      false,
      (pdu, log) => (pdu[0] === Opcode.Confirm ? last(log.received, Opcode.Confirm)! : pdu),
      { policy: legacy(IoCapability.KeyboardOnly) },
      { policy: legacy(IoCapability.DisplayOnly), fixedPasskey: PASSKEY },
    );
    await expectRefused(run, /reflected confirm/);
  });

  it('our central, Just Works: the same reflection -> 0x04', async () => {
    const run = await staged(
      false,
      (pdu, log) => (pdu[0] === Opcode.Confirm ? last(log.received, Opcode.Confirm)! : pdu),
      { policy: legacy(IoCapability.NoInputNoOutput) },
      { policy: legacy(IoCapability.NoInputNoOutput) },
    );
    await expectRefused(run, /reflected confirm/);
  });

  it('our peripheral: a central that knows our random commits to it (c1 over the real exchange) -> 0x04 before Srand', async () => {
    // Our random made known to the attacker (a fixed source), so that the attack can be staged.
    const fixed = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const tk = new Uint8Array(16);
    tk[0] = PASSKEY & 0xff;
    tk[1] = (PASSKEY >> 8) & 0xff;
    tk[2] = PASSKEY >> 16;
    let central: Uint8Array | undefined;
    const rewrite: SmpRewrite = (pdu, log) => {
      if (pdu[0] === Opcode.Confirm) {
        const preq = last(log.sent, Opcode.Request)!;
        const pres = last(log.received, Opcode.Response)!;
        return Uint8Array.of(Opcode.Confirm, ...tb.c1(tk, fixed, preq, pres, 0, central!, 0, PERIPHERAL));
      }
      return pdu[0] === Opcode.Random ? Uint8Array.of(Opcode.Random, ...fixed) : pdu;
    };
    const air = new VirtualAir();
    const tapped = smpTap(air.createController(), rewrite);
    central = air.controllers[0]!.address;
    const honest = smpTap(air.createController({ address: PERIPHERAL }));
    const a = await Host.open(tapped.transport, {
      crypto: tb,
      delegate: typist,
      policy: legacy(IoCapability.KeyboardOnly),
    });
    const v = await Host.open(honest.transport, {
      crypto: tb,
      delegate: typist,
      policy: legacy(IoCapability.DisplayOnly),
      fixedPasskey: PASSKEY,
      random: (length) => fixed.slice(0, length),
    });
    open.push(a, v);
    const link = await connectHosts(a, v);
    const failure = new Promise<PairingError>((resolve) =>
      v.once('pairing-failed', (_connection, error) => resolve(error)),
    );
    let encrypted = false;
    link.p.on('encrypted', () => {
      encrypted = true;
    });
    const pairing = link.c.pair().catch((error: Error) => error);
    await expectRefused(
      {
        victim: v,
        victimLink: link.p,
        failure,
        pairing,
        victimSent: honest.log.sent,
        encrypted: () => encrypted,
      },
      /reflected confirm/,
    );
  });
});
