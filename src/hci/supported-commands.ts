/**
 * The Supported Commands bitmap of HCI_Read_Local_Supported_Commands as data
 * (Core v5.4 Vol 4 Part E 6.27): which octet and bit of the 64-octet bitmap
 * stands for which command. Names are the ones btmon prints (BlueZ 5.66
 * monitor/packet.c, its command table), so a btmon capture's command list maps
 * back to bits; bit positions follow the spec table and were checked against
 * btmon's decoding of an all-ones bitmap. Octet 44 bit 0 is HCI_LE_ISO_Test_End
 * in the spec (BlueZ 5.66 prints it as a second "LE Isochronous Read Test
 * Counters"). Bits the table does not list (octet 44 bit 2 onwards, Core 5.3 and
 * later additions BlueZ 5.66 does not name) are left out rather than guessed.
 * @module
 */

/** One row of the Supported Commands table (Core v5.4 Vol 4 Part E 6.27). */
export interface SupportedCommandBit {
  /** Octet of the 64-octet bitmap, 0 to 63. */
  readonly octet: number;
  /** Bit within the octet, 0 (least significant) to 7. */
  readonly bit: number;
  /** The command name as btmon prints it. */
  readonly name: string;
}

/** Octets in the Supported Commands bitmap (Core v5.4 Vol 4 Part E 7.4.2). */
export const SUPPORTED_COMMANDS_OCTETS = 64;

/**
 * The Supported Commands table (Core v5.4 Vol 4 Part E 6.27), in bit order.
 * @example
 * ```ts
 * SUPPORTED_COMMANDS.find((row) => row.name === 'Reset'); // { octet: 5, bit: 7, name: 'Reset' }
 * ```
 */
export const SUPPORTED_COMMANDS: readonly SupportedCommandBit[] = Object.freeze(
  (
    [
      [0, 0, 'Inquiry'],
      [0, 1, 'Inquiry Cancel'],
      [0, 2, 'Periodic Inquiry Mode'],
      [0, 3, 'Exit Periodic Inquiry Mode'],
      [0, 4, 'Create Connection'],
      [0, 5, 'Disconnect'],
      [0, 6, 'Add SCO Connection'],
      [0, 7, 'Create Connection Cancel'],
      [1, 0, 'Accept Connection Request'],
      [1, 1, 'Reject Connection Request'],
      [1, 2, 'Link Key Request Reply'],
      [1, 3, 'Link Key Request Negative Reply'],
      [1, 4, 'PIN Code Request Reply'],
      [1, 5, 'PIN Code Request Negative Reply'],
      [1, 6, 'Change Connection Packet Type'],
      [1, 7, 'Authentication Requested'],
      [2, 0, 'Set Connection Encryption'],
      [2, 1, 'Change Connection Link Key'],
      [2, 2, 'Temporary Link Key'],
      [2, 3, 'Remote Name Request'],
      [2, 4, 'Remote Name Request Cancel'],
      [2, 5, 'Read Remote Supported Features'],
      [2, 6, 'Read Remote Extended Features'],
      [2, 7, 'Read Remote Version Information'],
      [3, 0, 'Read Clock Offset'],
      [3, 1, 'Read LMP Handle'],
      [4, 1, 'Hold Mode'],
      [4, 2, 'Sniff Mode'],
      [4, 3, 'Exit Sniff Mode'],
      [4, 4, 'Park State'],
      [4, 5, 'Exit Park State'],
      [4, 6, 'QoS Setup'],
      [4, 7, 'Role Discovery'],
      [5, 0, 'Switch Role'],
      [5, 1, 'Read Link Policy Settings'],
      [5, 2, 'Write Link Policy Settings'],
      [5, 3, 'Read Default Link Policy Settings'],
      [5, 4, 'Write Default Link Policy Settings'],
      [5, 5, 'Flow Specification'],
      [5, 6, 'Set Event Mask'],
      [5, 7, 'Reset'],
      [6, 0, 'Set Event Filter'],
      [6, 1, 'Flush'],
      [6, 2, 'Read PIN Type'],
      [6, 3, 'Write PIN Type'],
      [6, 4, 'Create New Unit Key'],
      [6, 5, 'Read Stored Link Key'],
      [6, 6, 'Write Stored Link Key'],
      [6, 7, 'Delete Stored Link Key'],
      [7, 0, 'Write Local Name'],
      [7, 1, 'Read Local Name'],
      [7, 2, 'Read Connection Accept Timeout'],
      [7, 3, 'Write Connection Accept Timeout'],
      [7, 4, 'Read Page Timeout'],
      [7, 5, 'Write Page Timeout'],
      [7, 6, 'Read Scan Enable'],
      [7, 7, 'Write Scan Enable'],
      [8, 0, 'Read Page Scan Activity'],
      [8, 1, 'Write Page Scan Activity'],
      [8, 2, 'Read Inquiry Scan Activity'],
      [8, 3, 'Write Inquiry Scan Activity'],
      [8, 4, 'Read Authentication Enable'],
      [8, 5, 'Write Authentication Enable'],
      [8, 6, 'Read Encryption Mode'],
      [8, 7, 'Write Encryption Mode'],
      [9, 0, 'Read Class of Device'],
      [9, 1, 'Write Class of Device'],
      [9, 2, 'Read Voice Setting'],
      [9, 3, 'Write Voice Setting'],
      [9, 4, 'Read Automatic Flush Timeout'],
      [9, 5, 'Write Automatic Flush Timeout'],
      [9, 6, 'Read Num Broadcast Retransmissions'],
      [9, 7, 'Write Num Broadcast Retransmissions'],
      [10, 0, 'Read Hold Mode Activity'],
      [10, 1, 'Write Hold Mode Activity'],
      [10, 2, 'Read Transmit Power Level'],
      [10, 3, 'Read Sync Flow Control Enable'],
      [10, 4, 'Write Sync Flow Control Enable'],
      [10, 5, 'Set Controller To Host Flow Control'],
      [10, 6, 'Host Buffer Size'],
      [10, 7, 'Host Number of Completed Packets'],
      [11, 0, 'Read Link Supervision Timeout'],
      [11, 1, 'Write Link Supervision Timeout'],
      [11, 2, 'Read Number of Supported IAC'],
      [11, 3, 'Read Current IAC LAP'],
      [11, 4, 'Write Current IAC LAP'],
      [11, 5, 'Read Page Scan Period Mode'],
      [11, 6, 'Write Page Scan Period Mode'],
      [11, 7, 'Read Page Scan Mode'],
      [12, 0, 'Write Page Scan Mode'],
      [12, 1, 'Set AFH Host Channel Classification'],
      [12, 4, 'Read Inquiry Scan Type'],
      [12, 5, 'Write Inquiry Scan Type'],
      [12, 6, 'Read Inquiry Mode'],
      [12, 7, 'Write Inquiry Mode'],
      [13, 0, 'Read Page Scan Type'],
      [13, 1, 'Write Page Scan Type'],
      [13, 2, 'Read AFH Channel Assessment Mode'],
      [13, 3, 'Write AFH Channel Assessment Mode'],
      [14, 3, 'Read Local Version Information'],
      [14, 4, 'Read Local Supported Commands'],
      [14, 5, 'Read Local Supported Features'],
      [14, 6, 'Read Local Extended Features'],
      [14, 7, 'Read Buffer Size'],
      [15, 0, 'Read Country Code'],
      [15, 1, 'Read BD ADDR'],
      [15, 2, 'Read Failed Contact Counter'],
      [15, 3, 'Reset Failed Contact Counter'],
      [15, 4, 'Read Link Quality'],
      [15, 5, 'Read RSSI'],
      [15, 6, 'Read AFH Channel Map'],
      [15, 7, 'Read Clock'],
      [16, 0, 'Read Loopback Mode'],
      [16, 1, 'Write Loopback Mode'],
      [16, 2, 'Enable Device Under Test Mode'],
      [16, 3, 'Setup Synchronous Connection'],
      [16, 4, 'Accept Synchronous Connection Request'],
      [16, 5, 'Reject Synchronous Connection Request'],
      [17, 0, 'Read Extended Inquiry Response'],
      [17, 1, 'Write Extended Inquiry Response'],
      [17, 2, 'Refresh Encryption Key'],
      [17, 4, 'Sniff Subrating'],
      [17, 5, 'Read Simple Pairing Mode'],
      [17, 6, 'Write Simple Pairing Mode'],
      [17, 7, 'Read Local OOB Data'],
      [18, 0, 'Read Inquiry Response TX Power Level'],
      [18, 1, 'Write Inquiry Transmit Power Level'],
      [18, 2, 'Read Default Erroneous Data Reporting'],
      [18, 3, 'Write Default Erroneous Data Reporting'],
      [18, 7, 'IO Capability Request Reply'],
      [19, 0, 'User Confirmation Request Reply'],
      [19, 1, 'User Confirmation Request Neg Reply'],
      [19, 2, 'User Passkey Request Reply'],
      [19, 3, 'User Passkey Request Negative Reply'],
      [19, 4, 'Remote OOB Data Request Reply'],
      [19, 5, 'Write Simple Pairing Debug Mode'],
      [19, 6, 'Enhanced Flush'],
      [19, 7, 'Remote OOB Data Request Neg Reply'],
      [20, 2, 'Send Keypress Notification'],
      [20, 3, 'IO Capability Request Negative Reply'],
      [20, 4, 'Read Encryption Key Size'],
      [21, 0, 'Create Physical Link'],
      [21, 1, 'Accept Physical Link'],
      [21, 2, 'Disconnect Physical Link'],
      [21, 3, 'Create Logical Link'],
      [21, 4, 'Accept Logical Link'],
      [21, 5, 'Disconnect Logical Link'],
      [21, 6, 'Logical Link Cancel'],
      [21, 7, 'Flow Specifcation Modify'],
      [22, 0, 'Read Logical Link Accept Timeout'],
      [22, 1, 'Write Logical Link Accept Timeout'],
      [22, 2, 'Set Event Mask Page 2'],
      [22, 3, 'Read Location Data'],
      [22, 4, 'Write Location Data'],
      [22, 5, 'Read Local AMP Info'],
      [22, 6, 'Read Local AMP ASSOC'],
      [22, 7, 'Write Remote AMP ASSOC'],
      [23, 0, 'Read Flow Control Mode'],
      [23, 1, 'Write Flow Control Mode'],
      [23, 2, 'Read Data Block Size'],
      [23, 5, 'Enable AMP Receiver Reports'],
      [23, 6, 'AMP Test End'],
      [23, 7, 'AMP Test'],
      [24, 0, 'Read Enhanced Transmit Power Level'],
      [24, 2, 'Read Best Effort Flush Timeout'],
      [24, 3, 'Write Best Effort Flush Timeout'],
      [24, 4, 'Short Range Mode'],
      [24, 5, 'Read LE Host Supported'],
      [24, 6, 'Write LE Host Supported'],
      [25, 0, 'LE Set Event Mask'],
      [25, 1, 'LE Read Buffer Size'],
      [25, 2, 'LE Read Local Supported Features'],
      [25, 4, 'LE Set Random Address'],
      [25, 5, 'LE Set Advertising Parameters'],
      [25, 6, 'LE Read Advertising Channel TX Power'],
      [25, 7, 'LE Set Advertising Data'],
      [26, 0, 'LE Set Scan Response Data'],
      [26, 1, 'LE Set Advertise Enable'],
      [26, 2, 'LE Set Scan Parameters'],
      [26, 3, 'LE Set Scan Enable'],
      [26, 4, 'LE Create Connection'],
      [26, 5, 'LE Create Connection Cancel'],
      [26, 6, 'LE Read Accept List Size'],
      [26, 7, 'LE Clear Accept List'],
      [27, 0, 'LE Add Device To Accept List'],
      [27, 1, 'LE Remove Device From Accept List'],
      [27, 2, 'LE Connection Update'],
      [27, 3, 'LE Set Host Channel Classification'],
      [27, 4, 'LE Read Channel Map'],
      [27, 5, 'LE Read Remote Used Features'],
      [27, 6, 'LE Encrypt'],
      [27, 7, 'LE Rand'],
      [28, 0, 'LE Start Encryption'],
      [28, 1, 'LE Long Term Key Request Reply'],
      [28, 2, 'LE Long Term Key Request Neg Reply'],
      [28, 3, 'LE Read Supported States'],
      [28, 4, 'LE Receiver Test'],
      [28, 5, 'LE Transmitter Test'],
      [28, 6, 'LE Test End'],
      [29, 3, 'Enhanced Setup Synchronous Connection'],
      [29, 4, 'Enhanced Accept Synchronous Connection Request'],
      [29, 5, 'Read Local Supported Codecs'],
      [29, 6, 'Set MWS Channel Parameters'],
      [29, 7, 'Set External Frame Configuration'],
      [30, 0, 'Set MWS Signaling'],
      [30, 1, 'Set MWS Transport Layer'],
      [30, 2, 'Set MWS Scan Frequency Table'],
      [30, 3, 'Get MWS Transport Layer Configuration'],
      [30, 4, 'Set MWS Pattern Configuration'],
      [30, 5, 'Set Triggered Clock Capture'],
      [30, 6, 'Truncated Page'],
      [30, 7, 'Truncated Page Cancel'],
      [31, 0, 'Set Connectionless Peripheral Broadcast'],
      [31, 1, 'Set Connectionless Peripheral Broadcast Receive'],
      [31, 2, 'Start Synchronization Train'],
      [31, 3, 'Receive Synchronization Train'],
      [31, 4, 'Set Reserved LT_ADDR'],
      [31, 5, 'Delete Reserved LT_ADDR'],
      [31, 6, 'Set Connectionless Peripheral Broadcast Data'],
      [31, 7, 'Read Synchronization Train Parameters'],
      [32, 0, 'Write Synchronization Train Parameters'],
      [32, 1, 'Remote OOB Extended Data Request Reply'],
      [32, 2, 'Read Secure Connections Host Support'],
      [32, 3, 'Write Secure Connections Host Support'],
      [32, 4, 'Read Authenticated Payload Timeout'],
      [32, 5, 'Write Authenticated Payload Timeout'],
      [32, 6, 'Read Local OOB Extended Data'],
      [32, 7, 'Write Secure Connections Test Mode'],
      [33, 0, 'Read Extended Page Timeout'],
      [33, 1, 'Write Extended Page Timeout'],
      [33, 2, 'Read Extended Inquiry Length'],
      [33, 3, 'Write Extended Inquiry Length'],
      [33, 4, 'LE Remote Connection Parameter Request Reply'],
      [33, 5, 'LE Remote Connection Parameter Request Negative Reply'],
      [33, 6, 'LE Set Data Length'],
      [33, 7, 'LE Read Suggested Default Data Length'],
      [34, 0, 'LE Write Suggested Default Data Length'],
      [34, 1, 'LE Read Local P-256 Public Key'],
      [34, 2, 'LE Generate DHKey'],
      [34, 3, 'LE Add Device To Resolving List'],
      [34, 4, 'LE Remove Device From Resolving List'],
      [34, 5, 'LE Clear Resolving List'],
      [34, 6, 'LE Read Resolving List Size'],
      [34, 7, 'LE Read Peer Resolvable Address'],
      [35, 0, 'LE Read Local Resolvable Address'],
      [35, 1, 'LE Set Address Resolution Enable'],
      [35, 2, 'LE Set Resolvable Private Address Timeout'],
      [35, 3, 'LE Read Maximum Data Length'],
      [35, 4, 'LE Read PHY'],
      [35, 5, 'LE Set Default PHY'],
      [35, 6, 'LE Set PHY'],
      [35, 7, 'LE Enhanced Receiver Test'],
      [36, 0, 'LE Enhanced Transmitter Test'],
      [36, 1, 'LE Set Advertising Set Random Address'],
      [36, 2, 'LE Set Extended Advertising Parameters'],
      [36, 3, 'LE Set Extended Advertising Data'],
      [36, 4, 'LE Set Extended Scan Response Data'],
      [36, 5, 'LE Set Extended Advertising Enable'],
      [36, 6, 'LE Read Maximum Advertising Data Length'],
      [36, 7, 'LE Read Number of Supported Advertising Sets'],
      [37, 0, 'LE Remove Advertising Set'],
      [37, 1, 'LE Clear Advertising Sets'],
      [37, 2, 'LE Set Periodic Advertising Parameters'],
      [37, 3, 'LE Set Periodic Advertising Data'],
      [37, 4, 'LE Set Periodic Advertising Enable'],
      [37, 5, 'LE Set Extended Scan Parameters'],
      [37, 6, 'LE Set Extended Scan Enable'],
      [37, 7, 'LE Extended Create Connection'],
      [38, 0, 'LE Periodic Advertising Create Sync'],
      [38, 1, 'LE Periodic Advertising Create Sync Cancel'],
      [38, 2, 'LE Periodic Advertising Terminate Sync'],
      [38, 3, 'LE Add Device To Periodic Advertiser List'],
      [38, 4, 'LE Remove Device From Periodic Advertiser List'],
      [38, 5, 'LE Clear Periodic Advertiser List'],
      [38, 6, 'LE Read Periodic Advertiser List Size'],
      [38, 7, 'LE Read Transmit Power'],
      [39, 0, 'LE Read RF Path Compensation'],
      [39, 1, 'LE Write RF Path Compensation'],
      [39, 2, 'LE Set Privacy Mode'],
      [39, 3, 'LE Receiver Test command [v3]'],
      [39, 4, 'LE Transmitter Test command [v3]'],
      [40, 5, 'LE Periodic Advertising Receive Enable'],
      [40, 6, 'LE Periodic Advertising Sync Transfer'],
      [40, 7, 'LE Periodic Advertising Set Info Transfer'],
      [41, 0, 'LE Periodic Advertising Sync Transfer Parameters'],
      [41, 1, 'LE Set Default Periodic Advertisng Sync Transfer Parameters'],
      [41, 3, 'Read Local Simple Pairing Options'],
      [41, 5, 'LE Read Buffer v2'],
      [41, 6, 'LE Read ISO TX Sync'],
      [41, 7, 'LE Set Connected Isochronous Group Parameters'],
      [42, 0, 'LE Set Connected Isochronous Group Parameters Test'],
      [42, 1, 'LE Create Connected Isochronous Stream'],
      [42, 2, 'LE Remove Connected Isochronous Group'],
      [42, 3, 'LE Accept Connected Isochronous Stream Request'],
      [42, 4, 'LE Reject Connected Isochronous Stream Request'],
      [42, 5, 'LE Create Broadcast Isochronous Group'],
      [42, 6, 'LE Create Broadcast Isochronous Group Test'],
      [42, 7, 'LE Terminate Broadcast Isochronous Group'],
      [43, 0, 'LE Broadcast Isochronous Group Create Sync'],
      [43, 1, 'LE Broadcast Isochronous Group Terminate Sync'],
      [43, 2, 'LE Request Peer SCA'],
      [43, 3, 'LE Setup Isochronous Data Path'],
      [43, 4, 'LE Remove Isochronous Data Path'],
      [43, 5, 'LE Isochronous Transmit Test'],
      [43, 6, 'LE Isochronous Receive Test'],
      [43, 7, 'LE Isochronous Read Test Counters'],
      [44, 0, 'LE ISO Test End'],
      [44, 1, 'LE Set Host Feature'],
      [45, 2, 'Read Local Supported Codecs V2'],
      [45, 3, 'Read Local Supported Codec Capabilities'],
      [45, 4, 'Read Local Supported Controller Delay'],
      [45, 5, 'Configure Data Path'],
    ] as const
  ).map(([octet, bit, name]) => Object.freeze({ octet, bit, name })),
);

/**
 * Older btmon spellings of the same bits (BlueZ before its 2021 rename of the
 * White List commands to Filter Accept List), mapped to the table's name.
 * @example
 * ```ts
 * SUPPORTED_COMMAND_ALIASES['LE Read White List Size']; // 'LE Read Accept List Size'
 * ```
 */
export const SUPPORTED_COMMAND_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'LE Read White List Size': 'LE Read Accept List Size',
  'LE Clear White List': 'LE Clear Accept List',
  'LE Add Device To White List': 'LE Add Device To Accept List',
  'LE Remove Device From White List': 'LE Remove Device From Accept List',
});

const byName: ReadonlyMap<string, SupportedCommandBit> = new Map([
  ...SUPPORTED_COMMANDS.map((row) => [row.name, row] as const),
  ...Object.entries(SUPPORTED_COMMAND_ALIASES).map(
    ([alias, name]) => [alias, SUPPORTED_COMMANDS.find((row) => row.name === name)!] as const,
  ),
]);

/**
 * The table row of a command name (or an older spelling of it), or undefined
 * for a name the table lacks.
 * @example
 * ```ts
 * supportedCommandBit('LE Add Device To Resolving List'); // { octet: 34, bit: 3, ... }
 * ```
 */
export function supportedCommandBit(name: string): SupportedCommandBit | undefined {
  return byName.get(name);
}

/**
 * Builds the 64-octet bitmap from command names (btmon's spelling, old or new).
 * @throws RangeError naming the first name the table lacks.
 * @example
 * ```ts
 * commandsToBitmap(['Reset'])[5]; // 0x80
 * ```
 */
export function commandsToBitmap(names: Iterable<string>): Uint8Array {
  const bitmap = new Uint8Array(SUPPORTED_COMMANDS_OCTETS);
  for (const name of names) {
    const row = byName.get(name);
    if (row === undefined) throw new RangeError(`unknown supported-command name: ${JSON.stringify(name)}`);
    bitmap[row.octet]! |= 1 << row.bit;
  }
  return bitmap;
}

/**
 * Builds the 64-octet bitmap from its octets written in hex, octet 0 first,
 * as captures print them: spaced (`FF FF FF 03 ...`, an H4 dump) or not
 * (`ffffff03...`, hcidump, which stops after the last non-zero octet). Octets
 * not written are zero.
 * @throws RangeError for anything but whole hex octets, or more than 64 of them.
 * @example
 * ```ts
 * commandsBitmapFromHex('00 00 00 00 00 80')[5]; // 0x80 (Reset)
 * hasCommand(commandsBitmapFromHex('000000000080'), 'Reset'); // true
 * ```
 */
export function commandsBitmapFromHex(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits) || digits.length > 2 * SUPPORTED_COMMANDS_OCTETS) {
    throw new RangeError(`supported-commands hex must be at most 64 whole octets: ${JSON.stringify(hex)}`);
  }
  const bitmap = new Uint8Array(SUPPORTED_COMMANDS_OCTETS);
  for (let octet = 0; octet < digits.length / 2; octet++) {
    bitmap[octet] = Number.parseInt(digits.slice(2 * octet, 2 * octet + 2), 16);
  }
  return bitmap;
}

/**
 * The command names whose bits are set, in table order; set bits the table
 * does not name are left out.
 * @throws RangeError when the bitmap is not 64 octets.
 * @example
 * ```ts
 * const bitmap = new Uint8Array(64);
 * bitmap[5] = 0xc0;
 * bitmapToCommands(bitmap); // ['Set Event Mask', 'Reset']
 * ```
 */
export function bitmapToCommands(bitmap: Uint8Array): string[] {
  if (bitmap.length !== SUPPORTED_COMMANDS_OCTETS) {
    throw new RangeError(`supported-commands bitmap must be 64 octets, got ${bitmap.length}`);
  }
  return SUPPORTED_COMMANDS.filter((row) => ((bitmap[row.octet]! >> row.bit) & 1) === 1).map(
    (row) => row.name,
  );
}

/**
 * Whether the bitmap marks a command supported.
 * @throws RangeError for a name the table lacks.
 * @example
 * ```ts
 * hasCommand(commandsToBitmap(['Reset']), 'Reset'); // true
 * ```
 */
export function hasCommand(bitmap: Uint8Array, name: string): boolean {
  const row = byName.get(name);
  if (row === undefined) throw new RangeError(`unknown supported-command name: ${JSON.stringify(name)}`);
  return ((bitmap[row.octet]! >> row.bit) & 1) === 1;
}
