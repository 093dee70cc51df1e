/**
 * `ble-smp/smp`: the Security Manager as a sans-I/O engine, for people who
 * bring their own HCI stack: the PDU codec, the association resolver, the key
 * distribution rules, policy and delegates, and {@link PairingSession}.
 *
 * @example
 * ```ts
 * import { PairingSession, IoCapability } from 'ble-smp/smp';
 * const session = new PairingSession({ role: 'responder', local, peer, policy: { ioCapability: IoCapability.DisplayYesNo } });
 * const outputs = session.handle({ type: 'pdu', data: smpPayload });
 * ```
 * @module
 */
export { type Association, type AssociationModel, resolveAssociation } from './association.js';
export {
  AuthReq,
  IoCapability,
  KeyDist,
  Keypress,
  MAX_KEY_SIZE,
  MIN_KEY_SIZE,
  Opcode,
  PDU_LENGTH,
  REASON_TEXT,
  Reason,
  SMP_TIMEOUT_MS,
} from './constants.js';
export {
  acceptAll,
  allowlist,
  answerPrompt,
  type DeviceAddress,
  type FixedAnswers,
  fixedAnswers,
  formatAddress,
  type OobData,
  type PairingDelegate,
  type Prompt,
  type PromptAnswer,
  refuseAll,
} from './delegate.js';
export { type AgentDecision, HeadlessAgent, type HeadlessAgentOptions } from './headless-agent.js';
export {
  checkKeyPdu,
  checkResponseMasks,
  isIdentityAddress,
  isKeyPdu,
  type KeyGateVerdict,
  type KeyMasks,
  type KeyPduType,
  keyPdusFor,
  masksOf,
  negotiateKeyMasks,
} from './key-distribution.js';
export {
  type LoopbackOptions,
  type LoopbackOutcome,
  type LoopbackRun,
  type LoopbackSide,
  pairInMemory,
  pairInMemorySync,
} from './loopback.js';
export {
  type DecodeError,
  type DecodeResult,
  decodePdu,
  describePdu,
  encodePdu,
  type PairingFeatures,
  PDU_TYPE,
  type SmpPdu,
} from './pdu.js';
export { DEFAULT_POLICY, type PairingPolicy, resolvePolicy } from './policy.js';
export { RepeatedAttempts, type RepeatedAttemptsOptions } from './repeated-attempts.js';
export { meetsPolicy, type SecurityLevel, weakens } from './security-level.js';
export { PairingSession, type SessionPhase } from './session.js';
export type {
  DistributedKeys,
  PairingFailure,
  PairingResult,
  Role,
  SessionInput,
  SessionOptions,
  SessionOutput,
} from './session-types.js';
