/**
 * The auditor's rules as data: a stable id, the severity of a finding, what
 * it means, and the rule it checks (section of docs/smp-rules.md, after Core
 * Vol 3 Part H). docs/audit.md lists the same table.
 * @module
 */

/** `error`: a rule of the specification was broken. `warning`: allowed, but weak. `info`: a check that passed, or a fact worth knowing. */
export type Severity = 'error' | 'warning' | 'info';

/** One rule of the auditor. */
export interface AuditRule {
  readonly severity: Severity;
  readonly title: string;
  /** The rule checked, as smp-rules.md states it, with the spec section. */
  readonly rule: string;
}

/**
 * Every rule id the auditor reports, with its severity and the rule it
 * checks. Ids are stable: scripts may match on them.
 * @example
 * ```ts
 * AUDIT_RULES['keydist-outside-mask'].severity; // 'error'
 * ```
 */
export const AUDIT_RULES = Object.freeze({
  'keydist-outside-mask': {
    severity: 'error',
    title: 'key distributed outside the negotiated mask',
    rule: 'smp-rules 6 (3.6.1): each side sends exactly the keys the negotiated mask for its role names; the response may not set a bit the request did not; under SC, EncKey distributes nothing',
  },
  'keydist-order': {
    severity: 'error',
    title: 'key distribution out of order',
    rule: 'smp-rules 6 (3.6.1): the responder distributes first, then the initiator; within a side EncInfo, Central Identification, Identity Information, Identity Address Information, Signing Information, each once',
  },
  'keydist-before-encryption': {
    severity: 'error',
    title: 'key distributed before the link was encrypted',
    rule: 'smp-rules 6 (3.6.1): keys are sent and accepted only on an encrypted link',
  },
  'non-random': {
    severity: 'error',
    title: 'value that is not random',
    rule: 'smp-rules 6 (2.3.5, 3.6.1): every nonce, key, EDIV and Rand comes from a cryptographic RNG: never all-zero, a fixed pattern, equal to another value, or reused',
  },
  'identity-address': {
    severity: 'error',
    title: 'identity address that is not an identity, or contradicts the connection',
    rule: 'smp-rules 6, 9 (3.6.4, 3.6.5; Vol 6 Part B 1.3): Identity Address Information carries a public or static random address (two most significant bits 11, the rest neither all 0 nor all 1); a device that connected from its public or static address distributes that address with that type; one that connected from a resolvable private address distributes the IRK that resolves it',
  },
  'debug-key': {
    severity: 'warning',
    title: 'debug public key',
    rule: 'smp-rules 4 (2.3.5.6.1): the debug key is for testing; keys from a pairing that used it are known to anyone',
  },
  'key-size': {
    severity: 'warning',
    title: 'encryption key shorter than 16 octets',
    rule: 'smp-rules 5 (2.3.4): negotiated size = min of both maxima; below 16 octets the key is weaker (ble-smp refuses below 16 by default)',
  },
  'legacy-pairing': {
    severity: 'warning',
    title: 'LE legacy pairing',
    rule: 'smp-rules 3 (2.3.5.2-2.3.5.5): legacy Just Works has TK = 0, so the STK and every key distributed under it follow from the capture (no protection against eavesdroppers, 2.3.5.2); a legacy passkey is recovered by searching its 10^6 values; OOB is as secret as the OOB channel',
  },
  'passkey-recovered': {
    severity: 'warning',
    title: 'passkey recovered from the capture',
    rule: 'smp-rules 3 (2.3.5.3): a legacy TK of at most 999999 is found by searching all values with c1 (or, without the addresses, with s1 against the STK that started encryption); the STK and every key distributed under it follow',
  },
  'address-recovered': {
    severity: 'info',
    title: 'device addresses recovered from a confirm',
    rule: 'smp-rules 3 (2.2.3): with the TK known, p2 = e(TK, r XOR p1) XOR d(TK, confirm) holds both addresses (and its 32 zero bits check the address types); the other confirm then checks them',
  },
  'just-works-mitm-requested': {
    severity: 'error',
    title: 'Just Works used where the IO table required an authenticated model',
    rule: 'smp-rules 2 (2.3.5.1): with MITM requested the IO capability table chooses the model; JW is allowed only where the table says JW',
  },
  'zero-ltk': {
    severity: 'error',
    title: 'encryption started with an all-zero key',
    rule: 'smp-rules 3, 9 (2.3.5.5, 2.4.4): encryption uses the STK or LTK from the pairing or the bond, never a constant',
  },
  'stk-mismatch': {
    severity: 'error',
    title: 'encryption started with a key the pairing did not produce',
    rule: 'smp-rules 3, 4 (2.3.5.5, 2.4.4): after phase 2 the central encrypts with the key the pairing produced (STK = s1(TK, Srand, Mrand), or the SC LTK) masked to the key size, with EDIV 0 and Rand 0',
  },
  'early-encryption': {
    severity: 'error',
    title: 'encryption started before the pairing finished',
    rule: "smp-rules 3, 4 (2.3.5.5, 2.3.5.6.5): the initiator encrypts only once phase 2 ends (the responder's Pairing Random in legacy pairing, its DHKey Check under SC); a key used earlier is not the pairing's",
  },
  'encryption-without-pairing': {
    severity: 'info',
    title: 'encryption started with no pairing in the capture',
    rule: 'smp-rules 9 (2.4.4): re-encryption uses a bonded key; the capture cannot show where it came from',
  },
  'confirm-mismatch': {
    severity: 'error',
    title: 'confirm value does not follow from the random',
    rule: 'smp-rules 3, 4 (2.3.5.5, 2.3.5.6): Mconfirm/Sconfirm = c1(TK, rand, ...); Cb = f4(PKb, PKa, Nb, 0); a mismatch fails with 0x04',
  },
  'pairing-failed': {
    severity: 'warning',
    title: 'pairing failed',
    rule: 'smp-rules 7, 10 (3.5.5): Pairing Failed ends the pairing; its reason says why',
  },
  'repeated-failures': {
    severity: 'warning',
    title: 'repeated failed pairings with the same peer',
    rule: 'smp-rules 7 (2.3.6): after a failure, new attempts wait an exponentially growing interval (Repeated Attempts, 0x09)',
  },
  timeout: {
    severity: 'warning',
    title: 'pairing stalled past the 30 s SMP timeout',
    rule: 'smp-rules 7 (3.4): the SMP timer is 30 s; on expiry the pairing fails and no further SMP PDU is sent on the link',
  },
  'public-key-invalid': {
    severity: 'error',
    title: 'public key not on P-256, or reflected',
    rule: 'smp-rules 4 (2.3.5.6.1): a peer key must be on the curve (CVE-2018-5383) and differ from our own (CVE-2020-26558); fail with 0x0B',
  },
  'malformed-pdu': {
    severity: 'error',
    title: 'SMP PDU with a wrong length, a reserved value or reserved bits set',
    rule: 'smp-rules 1, 7 (3.3, 3.5.1, 3.6.1): wrong length or out-of-range field (IO capability above 0x04, OOB flag above 0x01, maximum key size outside 7..16) -> Invalid Parameters (0x0A); reserved bits (AuthReq bits 6-7 and bonding flags 1x, key distribution bits 4-7) are sent as 0',
  },
  'confirm-verified': {
    severity: 'info',
    title: 'confirm value checks out',
    rule: 'smp-rules 3, 4 (2.3.5.5, 2.3.5.6): the confirm follows from the random revealed later',
  },
  'stk-verified': {
    severity: 'info',
    title: 'the key that started encryption is the derived STK',
    rule: 'smp-rules 3 (2.3.5.5): STK = s1(TK, Srand, Mrand), masked to the key size',
  },
  'not-verifiable': {
    severity: 'info',
    title: 'what a passive capture cannot check',
    rule: 'smp-rules 6 (3.6.1, 2.3.5): a value the capture hides (redacted in a paste) or that no passive capture holds (under Secure Connections the ECDH secret, 2.3.5.6) cannot be judged: the checks that need it are skipped and named, never failed',
  },
} as const satisfies Record<string, AuditRule>);

/** A rule id. */
export type RuleId = keyof typeof AUDIT_RULES;
