/**
 * Security Manager constants as data, each table citing its spec section
 * (Core Vol 3 Part H).
 * @module
 */

/**
 * SMP command codes (3.3, Table 3.4).
 * @example
 * ```ts
 * decodePdu(data).ok && data[0] === Opcode.PairingRequest;
 * ```
 */
export const Opcode = Object.freeze({
  PairingRequest: 0x01,
  PairingResponse: 0x02,
  PairingConfirm: 0x03,
  PairingRandom: 0x04,
  PairingFailed: 0x05,
  EncryptionInformation: 0x06,
  CentralIdentification: 0x07,
  IdentityInformation: 0x08,
  IdentityAddressInformation: 0x09,
  SigningInformation: 0x0a,
  SecurityRequest: 0x0b,
  PairingPublicKey: 0x0c,
  PairingDhKeyCheck: 0x0d,
  PairingKeypressNotification: 0x0e,
} as const);
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Length of each PDU including its code octet (3.5, 3.6).
 * @example
 * ```ts
 * PDU_LENGTH[Opcode.PairingPublicKey]; // 65
 * ```
 */
export const PDU_LENGTH: Readonly<Record<Opcode, number>> = Object.freeze({
  [Opcode.PairingRequest]: 7,
  [Opcode.PairingResponse]: 7,
  [Opcode.PairingConfirm]: 17,
  [Opcode.PairingRandom]: 17,
  [Opcode.PairingFailed]: 2,
  [Opcode.EncryptionInformation]: 17,
  [Opcode.CentralIdentification]: 11,
  [Opcode.IdentityInformation]: 17,
  [Opcode.IdentityAddressInformation]: 8,
  [Opcode.SigningInformation]: 17,
  [Opcode.SecurityRequest]: 2,
  [Opcode.PairingPublicKey]: 65,
  [Opcode.PairingDhKeyCheck]: 17,
  [Opcode.PairingKeypressNotification]: 2,
});

/**
 * Pairing Failed reason codes (3.5.5, Table 3.7).
 * @example
 * ```ts
 * if (failure.reason === Reason.NumericComparisonFailed) console.log('the numbers did not match');
 * ```
 */
export const Reason = Object.freeze({
  PasskeyEntryFailed: 0x01,
  OobNotAvailable: 0x02,
  AuthenticationRequirements: 0x03,
  ConfirmValueFailed: 0x04,
  PairingNotSupported: 0x05,
  EncryptionKeySize: 0x06,
  CommandNotSupported: 0x07,
  UnspecifiedReason: 0x08,
  RepeatedAttempts: 0x09,
  InvalidParameters: 0x0a,
  DhKeyCheckFailed: 0x0b,
  NumericComparisonFailed: 0x0c,
  BrEdrPairingInProgress: 0x0d,
  CrossTransportKeyDerivationNotAllowed: 0x0e,
  KeyRejected: 0x0f,
} as const);
export type Reason = (typeof Reason)[keyof typeof Reason];

/**
 * What each reason code means (3.5.5, Table 3.7), for messages and logs.
 * @example
 * ```ts
 * REASON_TEXT[Reason.RepeatedAttempts]; // 'Repeated Attempts: too little time ...'
 * ```
 */
export const REASON_TEXT: Readonly<Record<number, string>> = Object.freeze({
  1: 'Passkey Entry Failed: the passkey entry was cancelled or failed',
  2: 'OOB Not Available: the OOB data is not available',
  3: 'Authentication Requirements: the required security cannot be met with the IO capabilities or policy',
  4: 'Confirm Value Failed: a confirm value does not match the calculated one',
  5: 'Pairing Not Supported: pairing is not supported or was refused',
  6: 'Encryption Key Size: the resulting key size is insufficient',
  7: 'Command Not Supported: the SMP command received is not supported',
  8: 'Unspecified Reason: pairing failed for an unspecified reason',
  9: 'Repeated Attempts: too little time has elapsed since the last pairing request or security request',
  10: 'Invalid Parameters: a command length or parameter is invalid',
  11: 'DHKey Check Failed: the DHKey check value or the public key is invalid',
  12: 'Numeric Comparison Failed: the numeric comparison values did not match',
  13: 'BR/EDR Pairing In Progress',
  14: 'Cross-transport Key Derivation/Generation Not Allowed',
  15: 'Key Rejected: the device chose not to accept a distributed key',
});

/**
 * IO capabilities (3.5.1, Table 3.4).
 * @example
 * ```ts
 * const policy = { ioCapability: IoCapability.KeyboardDisplay };
 * ```
 */
export const IoCapability = Object.freeze({
  DisplayOnly: 0x00,
  DisplayYesNo: 0x01,
  KeyboardOnly: 0x02,
  NoInputNoOutput: 0x03,
  KeyboardDisplay: 0x04,
} as const);
export type IoCapability = (typeof IoCapability)[keyof typeof IoCapability];

/**
 * AuthReq bits (3.5.1, Figure 3.3). Bits 0-1 are the bonding flags (01 = bonding).
 * @example
 * ```ts
 * const wantsMitm = (pdu.authReq & AuthReq.Mitm) !== 0;
 * ```
 */
export const AuthReq = Object.freeze({
  Bonding: 0x01,
  Mitm: 0x04,
  SecureConnections: 0x08,
  Keypress: 0x10,
  Ct2: 0x20,
} as const);

/**
 * Key distribution bits (3.6.1, Figure 3.11).
 * @example
 * ```ts
 * const policy = { initiatorKeys: KeyDist.EncKey | KeyDist.IdKey };
 * ```
 */
export const KeyDist = Object.freeze({
  EncKey: 0x01,
  IdKey: 0x02,
  SignKey: 0x04,
  LinkKey: 0x08,
} as const);

/**
 * Keypress notification types (3.5.8, Table 3.9).
 * @example
 * ```ts
 * session.handle({ type: 'keypress', notification: Keypress.DigitEntered });
 * ```
 */
export const Keypress = Object.freeze({
  EntryStarted: 0,
  DigitEntered: 1,
  DigitErased: 2,
  Cleared: 3,
  EntryCompleted: 4,
} as const);
export type Keypress = (typeof Keypress)[keyof typeof Keypress];

/**
 * The smallest encryption key size the spec allows (2.3.4).
 * @example
 * ```ts
 * const lenient = { minKeySize: MIN_KEY_SIZE }; // accepts 7-octet keys: weaker
 * ```
 */
export const MIN_KEY_SIZE = 7;
/**
 * The largest encryption key size (2.3.4), and ble-smp's default minimum.
 * @example
 * ```ts
 * maskKey(stk, MAX_KEY_SIZE); // unchanged
 * ```
 */
export const MAX_KEY_SIZE = 16;
/**
 * The SMP timeout (3.4): a pairing with no PDU queued for 30 s fails.
 * @example
 * ```ts
 * if (output.type === 'timer' && output.action === 'start') timer.refresh(SMP_TIMEOUT_MS);
 * ```
 */
export const SMP_TIMEOUT_MS = 30_000;
