/**
 * HCI constants as data, each table citing its spec section: command opcodes
 * (Core Vol 4 Part E 5.4.1, 7.1-7.8), event and LE subevent codes (7.7), and
 * the error codes the Controller reports in Status and Reason parameters
 * (Core Vol 1 Part F 1.3).
 * @module
 */

/**
 * Opcode Group Fields (Vol 4 Part E 5.4.1): the upper 6 bits of an opcode.
 * @example
 * ```ts
 * opcode(Ogf.LeController, 0x000c); // 0x200c, HCI_LE_Set_Scan_Enable
 * ```
 */
export const Ogf = Object.freeze({
  /** Link Control commands (7.1). */
  LinkControl: 0x01,
  /** Controller & Baseband commands (7.3). */
  ControllerBaseband: 0x03,
  /** Informational Parameters (7.4). */
  InformationalParameters: 0x04,
  /** LE Controller commands (7.8). */
  LeController: 0x08,
} as const);

/**
 * Builds a 16-bit opcode from its OGF (6 bits) and OCF (10 bits) (Vol 4 Part E 5.4.1).
 * @throws RangeError when OGF or OCF does not fit its field.
 * @example
 * ```ts
 * opcode(Ogf.ControllerBaseband, 0x0003); // 0x0c03, HCI_Reset
 * ```
 */
export function opcode(ogf: number, ocf: number): number {
  if (!Number.isInteger(ogf) || ogf < 0 || ogf > 0x3f)
    throw new RangeError(`opcode: OGF ${ogf} outside 0..0x3f`);
  if (!Number.isInteger(ocf) || ocf < 0 || ocf > 0x3ff) {
    throw new RangeError(`opcode: OCF ${ocf} outside 0..0x3ff`);
  }
  return (ogf << 10) | ocf;
}

/**
 * Splits a 16-bit opcode into its OGF and OCF (Vol 4 Part E 5.4.1).
 * @example
 * ```ts
 * splitOpcode(0x2019); // { ogf: 0x08, ocf: 0x0019 }, HCI_LE_Enable_Encryption
 * ```
 */
export function splitOpcode(value: number): { readonly ogf: number; readonly ocf: number } {
  return { ogf: (value >> 10) & 0x3f, ocf: value & 0x3ff };
}

/**
 * The opcodes of the commands this library sends (Vol 4 Part E 7.1, 7.3, 7.4, 7.8),
 * by their spec names. `LeStartEncryption` is HCI_LE_Enable_Encryption (7.8.24),
 * called LE Start Encryption before Core 5.3.
 * @example
 * ```ts
 * HciOpcode.Reset; // 0x0c03
 * ```
 */
export const HciOpcode = Object.freeze({
  /** HCI_Disconnect (7.1.6). */
  Disconnect: 0x0406, // OGF 0x01, OCF 0x0006
  /** HCI_Set_Event_Mask (7.3.1). */
  SetEventMask: 0x0c01, // OGF 0x03, OCF 0x0001
  /** HCI_Reset (7.3.2). */
  Reset: 0x0c03, // OGF 0x03, OCF 0x0003
  /** HCI_Read_Local_Version_Information (7.4.1). */
  ReadLocalVersionInformation: 0x1001, // OGF 0x04, OCF 0x0001
  /** HCI_Read_Local_Supported_Commands (7.4.2). */
  ReadLocalSupportedCommands: 0x1002, // OGF 0x04, OCF 0x0002
  /** HCI_Read_Buffer_Size (7.4.5). */
  ReadBufferSize: 0x1005, // OGF 0x04, OCF 0x0005
  /** HCI_Read_BD_ADDR (7.4.6). */
  ReadBdAddr: 0x1009, // OGF 0x04, OCF 0x0009
  /** HCI_LE_Set_Event_Mask (7.8.1). */
  LeSetEventMask: 0x2001, // OGF 0x08, OCF 0x0001
  /** HCI_LE_Read_Buffer_Size [v1] (7.8.2). */
  LeReadBufferSize: 0x2002,
  /** HCI_LE_Read_Local_Supported_Features (7.8.3). */
  LeReadLocalSupportedFeatures: 0x2003,
  /** HCI_LE_Set_Random_Address (7.8.4). */
  LeSetRandomAddress: 0x2005,
  /** HCI_LE_Set_Advertising_Parameters (7.8.5). */
  LeSetAdvertisingParameters: 0x2006,
  /** HCI_LE_Set_Advertising_Data (7.8.7). */
  LeSetAdvertisingData: 0x2008,
  /** HCI_LE_Set_Scan_Response_Data (7.8.8). */
  LeSetScanResponseData: 0x2009,
  /** HCI_LE_Set_Advertising_Enable (7.8.9). */
  LeSetAdvertisingEnable: 0x200a,
  /** HCI_LE_Set_Scan_Parameters (7.8.10). */
  LeSetScanParameters: 0x200b,
  /** HCI_LE_Set_Scan_Enable (7.8.11). */
  LeSetScanEnable: 0x200c,
  /** HCI_LE_Create_Connection (7.8.12). */
  LeCreateConnection: 0x200d,
  /** HCI_LE_Create_Connection_Cancel (7.8.13). */
  LeCreateConnectionCancel: 0x200e,
  /** HCI_LE_Read_Filter_Accept_List_Size, formerly White List (7.8.14). */
  LeReadFilterAcceptListSize: 0x200f,
  /** HCI_LE_Connection_Update (7.8.18). */
  LeConnectionUpdate: 0x2013,
  /** HCI_LE_Read_Remote_Features, formerly LE Read Remote Used Features (7.8.21). */
  LeReadRemoteFeatures: 0x2016,
  /** HCI_LE_Rand (7.8.23). */
  LeRand: 0x2018,
  /** HCI_LE_Enable_Encryption, formerly LE Start Encryption (7.8.24). */
  LeStartEncryption: 0x2019,
  /** HCI_LE_Long_Term_Key_Request_Reply (7.8.25). */
  LeLongTermKeyRequestReply: 0x201a,
  /** HCI_LE_Long_Term_Key_Request_Negative_Reply (7.8.26). */
  LeLongTermKeyRequestNegativeReply: 0x201b,
  /** HCI_LE_Read_Resolving_List_Size (7.8.41). */
  LeReadResolvingListSize: 0x202a,
  /** HCI_LE_Read_Maximum_Data_Length (7.8.46). */
  LeReadMaximumDataLength: 0x202f,
} as const);
export type HciOpcode = (typeof HciOpcode)[keyof typeof HciOpcode];

/**
 * Event codes (Vol 4 Part E 7.7).
 * @example
 * ```ts
 * if (packet.data[0] === HciEventCode.CommandComplete) handleCompletion(packet.data);
 * ```
 */
export const HciEventCode = Object.freeze({
  /** HCI_Disconnection_Complete (7.7.5). */
  DisconnectionComplete: 0x05,
  /** HCI_Encryption_Change [v1] (7.7.8). */
  EncryptionChange: 0x08,
  /** HCI_Command_Complete (7.7.14). */
  CommandComplete: 0x0e,
  /** HCI_Command_Status (7.7.15). */
  CommandStatus: 0x0f,
  /** HCI_Hardware_Error (7.7.16). */
  HardwareError: 0x10,
  /** HCI_Number_Of_Completed_Packets (7.7.19). */
  NumberOfCompletedPackets: 0x13,
  /** HCI_Encryption_Key_Refresh_Complete (7.7.39). */
  EncryptionKeyRefreshComplete: 0x30,
  /** HCI_LE_Meta_Event (7.7.65): the first parameter is an {@link LeSubeventCode}. */
  LeMeta: 0x3e,
} as const);
export type HciEventCode = (typeof HciEventCode)[keyof typeof HciEventCode];

/**
 * LE Meta event subevent codes (Vol 4 Part E 7.7.65.x).
 * @example
 * ```ts
 * const isLtkRequest = data[0] === HciEventCode.LeMeta && data[2] === LeSubeventCode.LongTermKeyRequest;
 * ```
 */
export const LeSubeventCode = Object.freeze({
  /** HCI_LE_Connection_Complete (7.7.65.1). */
  ConnectionComplete: 0x01,
  /** HCI_LE_Advertising_Report (7.7.65.2). */
  AdvertisingReport: 0x02,
  /** HCI_LE_Connection_Update_Complete (7.7.65.3). */
  ConnectionUpdateComplete: 0x03,
  /** HCI_LE_Read_Remote_Features_Complete [v1] (7.7.65.4). */
  ReadRemoteFeaturesComplete: 0x04,
  /** HCI_LE_Long_Term_Key_Request (7.7.65.5). */
  LongTermKeyRequest: 0x05,
  /** HCI_LE_Enhanced_Connection_Complete [v1] (7.7.65.10). */
  EnhancedConnectionComplete: 0x0a,
} as const);
export type LeSubeventCode = (typeof LeSubeventCode)[keyof typeof LeSubeventCode];

/**
 * Controller error codes (Core Vol 1 Part F 1.3, Table 1.1), as carried in the
 * Status and Reason parameters of commands and events. 0x2B, 0x31 and 0x33 are
 * reserved; 0x3F is "previously used".
 * @example
 * ```ts
 * encodeCommand({ name: 'disconnect', handle: 0x0040, reason: HciErrorCode.RemoteUserTerminatedConnection });
 * ```
 */
export const HciErrorCode = Object.freeze({
  Success: 0x00,
  UnknownHciCommand: 0x01,
  UnknownConnectionIdentifier: 0x02,
  HardwareFailure: 0x03,
  PageTimeout: 0x04,
  AuthenticationFailure: 0x05,
  PinOrKeyMissing: 0x06,
  MemoryCapacityExceeded: 0x07,
  ConnectionTimeout: 0x08,
  ConnectionLimitExceeded: 0x09,
  SynchronousConnectionLimitExceeded: 0x0a,
  ConnectionAlreadyExists: 0x0b,
  CommandDisallowed: 0x0c,
  ConnectionRejectedLimitedResources: 0x0d,
  ConnectionRejectedSecurityReasons: 0x0e,
  ConnectionRejectedUnacceptableBdAddr: 0x0f,
  ConnectionAcceptTimeoutExceeded: 0x10,
  UnsupportedFeatureOrParameterValue: 0x11,
  InvalidHciCommandParameters: 0x12,
  RemoteUserTerminatedConnection: 0x13,
  RemoteDeviceTerminatedLowResources: 0x14,
  RemoteDeviceTerminatedPowerOff: 0x15,
  ConnectionTerminatedByLocalHost: 0x16,
  RepeatedAttempts: 0x17,
  PairingNotAllowed: 0x18,
  UnknownLmpPdu: 0x19,
  UnsupportedRemoteFeature: 0x1a,
  ScoOffsetRejected: 0x1b,
  ScoIntervalRejected: 0x1c,
  ScoAirModeRejected: 0x1d,
  InvalidLlParameters: 0x1e,
  UnspecifiedError: 0x1f,
  UnsupportedLlParameterValue: 0x20,
  RoleChangeNotAllowed: 0x21,
  LlResponseTimeout: 0x22,
  LlProcedureCollision: 0x23,
  LmpPduNotAllowed: 0x24,
  EncryptionModeNotAcceptable: 0x25,
  LinkKeyCannotBeChanged: 0x26,
  RequestedQosNotSupported: 0x27,
  InstantPassed: 0x28,
  PairingWithUnitKeyNotSupported: 0x29,
  DifferentTransactionCollision: 0x2a,
  QosUnacceptableParameter: 0x2c,
  QosRejected: 0x2d,
  ChannelClassificationNotSupported: 0x2e,
  InsufficientSecurity: 0x2f,
  ParameterOutOfMandatoryRange: 0x30,
  RoleSwitchPending: 0x32,
  ReservedSlotViolation: 0x34,
  RoleSwitchFailed: 0x35,
  ExtendedInquiryResponseTooLarge: 0x36,
  SecureSimplePairingNotSupportedByHost: 0x37,
  HostBusyPairing: 0x38,
  ConnectionRejectedNoSuitableChannel: 0x39,
  ControllerBusy: 0x3a,
  UnacceptableConnectionParameters: 0x3b,
  AdvertisingTimeout: 0x3c,
  ConnectionTerminatedMicFailure: 0x3d,
  ConnectionFailedToBeEstablished: 0x3e,
  CoarseClockAdjustmentRejected: 0x40,
  Type0SubmapNotDefined: 0x41,
  UnknownAdvertisingIdentifier: 0x42,
  LimitReached: 0x43,
  OperationCancelledByHost: 0x44,
  PacketTooLong: 0x45,
  TooLate: 0x46,
  TooEarly: 0x47,
} as const);
export type HciErrorCode = (typeof HciErrorCode)[keyof typeof HciErrorCode];

/**
 * The spec's name of each error code (Core Vol 1 Part F 1.3, Table 1.1), for
 * messages and logs. Where the spec gives a BR/EDR and an LE name, both appear.
 * @example
 * ```ts
 * HCI_ERROR_NAME[0x3d]; // 'Connection Terminated due to MIC Failure'
 * ```
 */
export const HCI_ERROR_NAME: Readonly<Record<number, string>> = Object.freeze({
  0: 'Success',
  1: 'Unknown HCI Command',
  2: 'Unknown Connection Identifier',
  3: 'Hardware Failure',
  4: 'Page Timeout',
  5: 'Authentication Failure',
  6: 'PIN or Key Missing',
  7: 'Memory Capacity Exceeded',
  8: 'Connection Timeout',
  9: 'Connection Limit Exceeded',
  10: 'Synchronous Connection Limit To A Device Exceeded',
  11: 'Connection Already Exists',
  12: 'Command Disallowed',
  13: 'Connection Rejected due to Limited Resources',
  14: 'Connection Rejected Due To Security Reasons',
  15: 'Connection Rejected due to Unacceptable BD_ADDR',
  16: 'Connection Accept Timeout Exceeded',
  17: 'Unsupported Feature or Parameter Value',
  18: 'Invalid HCI Command Parameters',
  19: 'Remote User Terminated Connection',
  20: 'Remote Device Terminated Connection due to Low Resources',
  21: 'Remote Device Terminated Connection due to Power Off',
  22: 'Connection Terminated By Local Host',
  23: 'Repeated Attempts',
  24: 'Pairing Not Allowed',
  25: 'Unknown LMP PDU',
  26: 'Unsupported Remote Feature',
  27: 'SCO Offset Rejected',
  28: 'SCO Interval Rejected',
  29: 'SCO Air Mode Rejected',
  30: 'Invalid LMP Parameters / Invalid LL Parameters',
  31: 'Unspecified Error',
  32: 'Unsupported LMP Parameter Value / Unsupported LL Parameter Value',
  33: 'Role Change Not Allowed',
  34: 'LMP Response Timeout / LL Response Timeout',
  35: 'LMP Error Transaction Collision / LL Procedure Collision',
  36: 'LMP PDU Not Allowed',
  37: 'Encryption Mode Not Acceptable',
  38: 'Link Key cannot be Changed',
  39: 'Requested QoS Not Supported',
  40: 'Instant Passed',
  41: 'Pairing With Unit Key Not Supported',
  42: 'Different Transaction Collision',
  44: 'QoS Unacceptable Parameter',
  45: 'QoS Rejected',
  46: 'Channel Classification Not Supported',
  47: 'Insufficient Security',
  48: 'Parameter Out Of Mandatory Range',
  50: 'Role Switch Pending',
  52: 'Reserved Slot Violation',
  53: 'Role Switch Failed',
  54: 'Extended Inquiry Response Too Large',
  55: 'Secure Simple Pairing Not Supported By Host',
  56: 'Host Busy - Pairing',
  57: 'Connection Rejected due to No Suitable Channel Found',
  58: 'Controller Busy',
  59: 'Unacceptable Connection Parameters',
  60: 'Advertising Timeout',
  61: 'Connection Terminated due to MIC Failure',
  62: 'Connection Failed to be Established / Synchronization Timeout',
  63: 'Previously Used',
  64: 'Coarse Clock Adjustment Rejected but Will Try to Adjust Using Clock Dragging',
  65: 'Type0 Submap Not Defined',
  66: 'Unknown Advertising Identifier',
  67: 'Limit Reached',
  68: 'Operation Cancelled by Host',
  69: 'Packet Too Long',
  70: 'Too Late',
  71: 'Too Early',
});

/**
 * A status or reason code with its name, for messages and logs.
 * @example
 * ```ts
 * describeHciError(0x13); // '0x13 Remote User Terminated Connection'
 * describeHciError(0x99); // '0x99 (reserved)'
 * ```
 */
export function describeHciError(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  return `${hex} ${HCI_ERROR_NAME[code] ?? '(reserved)'}`;
}
