/**
 * Issue 13, item 6: LE legacy checks without both addresses. c1 needs both
 * addresses, s1 does not: the passkey is searched with s1 against the STK
 * that started encryption; with the TK known, a confirm gives the addresses
 * back (p2 = e(TK, r XOR p1) XOR d(TK, confirm)) and the other confirm checks
 * them; Just Works with randoms and no confirms still has its STK checked.
 * On the real mailing-list trace with its connection cut out, and on our own
 * captures edited as a capture of the field comes (no Connection Complete,
 * no local address, PDUs missing).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS } from '../../src/cli/commands/demo.js';
import { recoverAddresses } from '../../src/trace/audit/legacy-addresses.js';
import type { HciRecord, PairingAudit } from '../../src/trace/index.js';
import { auditTrace, formatPairing, readTrace } from '../../src/trace/index.js';
import {
  commandOpcode,
  crypto,
  edited,
  LE_ENABLE_ENCRYPTION,
  passkeyTk,
  pcapJoin,
  pcapParts,
  records,
  resignLegacy,
  rewrite,
  smpCode,
} from './capture-edits.js';
import { fixture, MAILING_LIST, ownCapture } from './fixtures.js';

const captures = new Map<string, HciRecord[]>();
beforeAll(async () => {
  for (const model of DEMO_MODELS) captures.set(model.id, records(await ownCapture(model.id)));
}, 120_000);
const own = (id: string): HciRecord[] => [...captures.get(id)!];

const isConnectionComplete = (r: HciRecord) =>
  r.packet.type === 'event' && r.packet.data[0] === 0x3e && [0x01, 0x0a].includes(r.packet.data[2]!);
/** The records that tell the local address: Read BD_ADDR's completion, LE Set Random Address. */
const tellsLocalAddress = (r: HciRecord) =>
  (r.packet.type === 'event' &&
    r.packet.data[0] === 0x0e &&
    r.packet.data[3] === 0x09 &&
    r.packet.data[4] === 0x10) ||
  commandOpcode(r) === 0x2005;
const only = (all: readonly HciRecord[]): PairingAudit => {
  const report = auditTrace(rewrite(all));
  expect(report.pairings).toHaveLength(1);
  return report.pairings[0]!;
};
const byRule = (pairing: PairingAudit, rule: string) => pairing.findings.filter((f) => f.rule === rule);

describe('addresses recovered from a confirm', () => {
  it.each(['legacy-just-works', 'legacy-passkey'])(
    '%s without a Connection Complete: the passkey (s1 against the STK), both addresses, both confirms and the STK, as with the connection',
    (id) => {
      const all = own(id);
      const full = only(all);
      expect(full.initiator.address).toBeDefined();
      const cut = all.filter((r) => !isConnectionComplete(r));
      const pairing = only(cut);
      expect(pairing.initiator.address).toBe(full.initiator.address);
      expect(pairing.responder.address).toBe(full.responder.address);
      expect(pairing.initiator.addressRecovered).toBe(true);
      expect(pairing.passkey).toBe(full.passkey);
      expect(pairing.stk).toBe(full.stk);
      const recovered = byRule(pairing, 'address-recovered');
      expect(recovered).toHaveLength(1);
      expect(recovered[0]!.message).toMatch(
        /lacks both device addresses: Mconfirm .*the other confirm checks them/,
      );
      expect(byRule(pairing, 'confirm-verified')).toHaveLength(2);
      expect(byRule(pairing, 'stk-verified')).toHaveLength(1);
      expect(byRule(pairing, 'confirm-mismatch')).toEqual([]);
      if (id === 'legacy-passkey') {
        const found = byRule(pairing, 'passkey-recovered');
        expect(found).toHaveLength(1);
        expect(found[0]!.message).toMatch(/from the STK that started encryption .* with s1/);
      }
      expect(formatPairing(pairing)).toContain('recovered from a confirm');
    },
  );

  it('one address known (the peer, from the Connection Complete; the local one never read): the other recovered, the known one held', () => {
    const all = own('legacy-passkey');
    const full = only(all);
    const cut = all.filter((r) => !tellsLocalAddress(r));
    const pairing = only(cut);
    expect(pairing.responder.addressRecovered).toBeUndefined();
    expect(pairing.responder.address).toBe(full.responder.address);
    expect(pairing.initiator).toMatchObject({ address: full.initiator.address, addressRecovered: true });
    expect(byRule(pairing, 'address-recovered')[0]!.message).toMatch(/lacks the initiator's address/);
    expect(byRule(pairing, 'confirm-verified')).toHaveLength(2);
  });

  it('a known address that is not the one c1 used: no recovery, the confirm named as matching no pair that includes it', () => {
    const all = own('legacy-just-works').filter((r) => !tellsLocalAddress(r));
    const at = all.findIndex(isConnectionComplete);
    // LE Connection Complete: the peer address at octet 8 of the event (code, length, subevent, status, handle, role, type).
    all[at] = edited(all[at]!, (data) => {
      data[8]! ^= 0x01;
    });
    const pairing = only(all);
    expect(byRule(pairing, 'address-recovered')).toEqual([]);
    const mismatch = byRule(pairing, 'confirm-mismatch');
    expect(mismatch[0]!.message).toMatch(
      /for no pair of device addresses that includes the responder's address/,
    );
  });

  it('Just Works with the randoms but no confirms and no addresses: the STK from the randoms alone is the key that started encryption', () => {
    const all = own('legacy-just-works').filter((r) => !isConnectionComplete(r) && smpCode(r) !== 0x03);
    const pairing = only(all);
    expect(byRule(pairing, 'stk-verified')).toHaveLength(1);
    expect(pairing.stk).toBe(only(own('legacy-just-works')).stk);
    expect(pairing.notVerifiable.join('\n')).toMatch(/neither both device addresses nor a confirm/);
  });

  it('Passkey Entry whose STK is s1 of no passkey: stk-mismatch, nothing recovered', () => {
    const all = own('legacy-passkey').filter((r) => !isConnectionComplete(r));
    const start = all.findIndex((r) => commandOpcode(r) === LE_ENABLE_ENCRYPTION);
    all[start] = edited(all[start]!, (data) => {
      data[3 + 12]! ^= 0xff;
    });
    const pairing = only(all);
    expect(byRule(pairing, 'passkey-recovered')).toEqual([]);
    expect(byRule(pairing, 'address-recovered')).toEqual([]);
    expect(byRule(pairing, 'stk-mismatch')[0]!.message).toMatch(/for no TK = 0 or passkey/);
  });

  it('Passkey Entry without addresses and without the key on HCI (no encryption start): says what would be needed', () => {
    const all = own('legacy-passkey').filter(
      (r) => !isConnectionComplete(r) && commandOpcode(r) !== LE_ENABLE_ENCRYPTION,
    );
    const pairing = only(all);
    expect(pairing.passkey).toBeUndefined();
    expect(pairing.notVerifiable.join('\n')).toMatch(
      /searched with s1 against the STK, but no encryption start/,
    );
  });

  it('fast-check: any passkey, re-signed, is found by s1 without the connection, and the addresses come back', () => {
    const base = own('legacy-passkey');
    const full = only(base);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), (passkey) => {
        const all = [...base];
        resignLegacy(all, passkeyTk(passkey));
        const pairing = only(all.filter((r) => !isConnectionComplete(r)));
        expect(pairing.passkey).toBe(passkey);
        expect(pairing.initiator.address).toBe(full.initiator.address);
        expect(pairing.responder.address).toBe(full.responder.address);
        expect(byRule(pairing, 'confirm-verified')).toHaveLength(2);
      }),
      { numRuns: 3 },
    );
  });

  it('recoverAddresses: random addresses and types come back from c1; a wrong TK or confirm gives none', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 0, max: 1 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 999_999 }),
        (ia, ra, iat, rat, random, passkey) => {
          const preq = Uint8Array.of(1, 4, 0, 5, 16, 1, 1);
          const pres = Uint8Array.of(2, 2, 0, 5, 16, 1, 1);
          const tk = passkeyTk(passkey);
          const confirm = crypto.c1(tk, random, preq, pres, iat, ia, rat, ra);
          const got = recoverAddresses(crypto, { tk, confirm, random, preq, pres });
          expect(got).toEqual({
            initiator: { address: ia, type: iat },
            responder: { address: ra, type: rat },
          });
          expect(
            recoverAddresses(crypto, { tk: passkeyTk(passkey ^ 1), confirm, random, preq, pres }),
          ).toBeUndefined();
          const other = Uint8Array.from(confirm);
          other[0]! ^= 0x80;
          expect(recoverAddresses(crypto, { tk, confirm: other, random, preq, pres })).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the mailing-list trace (real, legacy Just Works) without its connection', () => {
  it('the LE Connection Complete and Read BD_ADDR cut out: both addresses recovered equal the ones the capture showed', () => {
    const text = new TextDecoder().decode(fixture(MAILING_LIST));
    const full = auditTrace(fixture(MAILING_LIST)).pairings[0]!;
    // Drop every HCI event block that is not ACL data or encryption: the connection and the local address go.
    const blocks = text.split(/\n(?=[<>@=] )/);
    const kept = blocks.filter((b) => !/LE Connection Complete|Read BD ADDR|LE Set Random Address/.test(b));
    expect(kept.length).toBeLessThan(blocks.length);
    const pairing = auditTrace(new TextEncoder().encode(kept.join('\n'))).pairings[0]!;
    expect(pairing.initiator.addressRecovered).toBe(true);
    expect(pairing.responder.addressRecovered).toBe(true);
    expect(pairing.initiator.address).toBe(full.initiator.address);
    expect(pairing.responder.address).toBe(full.responder.address);
    expect(byRule(pairing, 'confirm-verified')).toHaveLength(2);
    expect(byRule(pairing, 'stk-verified')).toHaveLength(1);
    // The findings that never needed the addresses are the same.
    const rest = (p: PairingAudit) =>
      p.findings
        .filter((f) => !['address-recovered', 'confirm-verified', 'stk-verified'].includes(f.rule))
        .map((f) => f.rule);
    expect(rest(pairing)).toEqual(rest(full));
  });
});

describe('over the air without CONNECT_IND (the crackle captures, real): the MIC tells the passkey', () => {
  /** The capture without its CONNECT_IND, so without both addresses; and the audit with it. */
  const withoutConnectInd = (name: string) => {
    const bytes = fixture(name);
    const connectInd = readTrace(bytes).records.find(
      (r) => r.kind === 'll' && r.accessAddress === 0x8e89bed6 && (r.pdu[0]! & 0x0f) === 0x05,
    )!;
    expect(connectInd).toBeDefined();
    const parts = pcapParts(bytes);
    parts.records.splice(connectInd.at - 1, 1);
    return { full: auditTrace(bytes).pairings[0]!, cut: auditTrace(pcapJoin(parts)).pairings[0]! };
  };

  it('crackle-05 (legacy Passkey Entry): passkey 461140 found by the MIC of the first encrypted PDU, then both addresses, both confirms, the STK and the key distribution', () => {
    const { full, cut } = withoutConnectInd('crackle-05-legacy-passkey-numeric-pin.pcap');
    expect(full.passkey).toBe(461140);
    expect(cut.passkey).toBe(461140);
    expect(cut.initiator).toMatchObject({ address: full.initiator.address, addressRecovered: true });
    expect(cut.responder).toMatchObject({ address: full.responder.address, addressRecovered: true });
    expect(cut.stk).toBe(full.stk);
    const found = byRule(cut, 'passkey-recovered');
    expect(found[0]!.message).toMatch(
      /over the air: .* first encrypted PDU .* authenticates \(461,141 candidates\)/,
    );
    expect(byRule(cut, 'confirm-verified')).toHaveLength(2);
    expect(byRule(cut, 'stk-verified')).toHaveLength(1);
    // The key distribution decrypted under the STK is audited as with the connection.
    const keys = (p: PairingAudit) =>
      p.steps.filter((s) => /Information|Identification/.test(s.label)).map((s) => s.label);
    expect(keys(cut)).toEqual(keys(full));
    expect(keys(cut).length).toBeGreaterThan(0);
  });

  it('crackle-01 (legacy Just Works): TK = 0 gives the addresses back from a confirm', () => {
    const { full, cut } = withoutConnectInd('crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap');
    expect(cut.initiator).toMatchObject({ address: full.initiator.address, addressRecovered: true });
    expect(cut.responder).toMatchObject({ address: full.responder.address, addressRecovered: true });
    expect(cut.stk).toBe(full.stk);
    expect(byRule(cut, 'stk-verified')).toHaveLength(1);
  });

  it('the first encrypted PDU with a damaged MIC: no passkey fits, and the report says so rather than guessing', () => {
    const bytes = fixture('crackle-05-legacy-passkey-numeric-pin.pcap');
    const parts = pcapParts(bytes);
    const connectInd = readTrace(bytes).records.find(
      (r) => r.kind === 'll' && r.accessAddress === 0x8e89bed6 && (r.pdu[0]! & 0x0f) === 0x05,
    )!;
    parts.records.splice(connectInd.at - 1, 1);
    // The first encrypted PDU: flip a MIC bit in the file, and the whole search fails (said, not thrown).
    const cut = pcapJoin(parts);
    const full = auditTrace(cut).pairings[0]!;
    const first = Number(
      /first encrypted PDU \(frame (\d+)\)/.exec(byRule(full, 'passkey-recovered')[0]!.message)![1],
    );
    const record = parts.records[first - 1]!;
    record[record.length - 4]! ^= 0x01; // the last octet of the MIC (the CRC after it, 3 octets)
    const damaged = auditTrace(pcapJoin(parts)).pairings[0]!;
    expect(damaged.passkey).toBeUndefined();
    expect(byRule(damaged, 'passkey-recovered')).toEqual([]);
    expect(damaged.notVerifiable.join('\n')).toMatch(/no passkey 000000..999999 gives a session key/);
  });
});

describe('with both addresses: the STK on HCI gives the passkey at half the cost, the confirm checks it', () => {
  it('our legacy Passkey Entry capture: found with s1 against the STK, checked by c1, the same passkey as c1 alone finds', () => {
    const all = own('legacy-passkey');
    const pairing = only(all);
    const found = byRule(pairing, 'passkey-recovered');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(
      /from the STK that started encryption .* with s1 .* follows from it with c1/,
    );
    // Without the key on HCI the c1 search finds the same passkey.
    const hidden = all.filter((r) => commandOpcode(r) !== LE_ENABLE_ENCRYPTION);
    const byC1 = only(hidden);
    expect(byC1.passkey).toBe(pairing.passkey);
    expect(byRule(byC1, 'passkey-recovered')[0]!.message).toMatch(/c1 evaluations/);
  });

  it('an STK of another passkey than the confirms: the confirms decide the passkey, the STK is flagged', () => {
    const all = own('legacy-passkey');
    const passkey = only(all).passkey!;
    // Re-sign the confirms for another passkey, leave the STK as it was.
    const start = all.findIndex((r) => commandOpcode(r) === LE_ENABLE_ENCRYPTION);
    const stkRecord = all[start]!;
    resignLegacy(all, passkeyTk((passkey + 1) % 1_000_000));
    all[start] = stkRecord;
    const pairing = only(all);
    expect(pairing.passkey).toBe((passkey + 1) % 1_000_000);
    expect(byRule(pairing, 'passkey-recovered')[0]!.message).toMatch(/c1 evaluations/);
    expect(byRule(pairing, 'stk-mismatch')).toHaveLength(1);
  });
});
