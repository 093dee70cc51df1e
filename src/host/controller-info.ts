/**
 * What the host learns of its controller at start-up, and what it will use:
 * Read Local Version Information, Read Local Supported Commands (Core Vol 4
 * Part E 7.4.1, 7.4.2), LE Read Local Supported Features (7.8.3), the LE
 * buffers (7.8.2, falling back to Read Buffer Size 7.4.5 when LE shares the
 * BR/EDR buffers), and the list sizes and data length when the controller
 * has those commands. A command the controller does not list is not sent.
 * @module
 */

import { COMMAND_ROW } from '../hci/command-rows.js';
import type { HciCommand } from '../hci/commands.js';
import type { ReturnParameters } from '../hci/events.js';
import { hasLeFeature, leFeatureNames } from '../hci/le-features.js';
import { bitmapToCommands, hasCommand } from '../hci/supported-commands.js';
import { type ControllerProblem, knownControllerProblems } from './controller-problems.js';

/** Bluetooth Core versions by HCI/LMP version number (Assigned Numbers 2.1). */
const CORE_VERSION = [
  '1.0b',
  '1.1',
  '1.2',
  '2.0',
  '2.1',
  '3.0',
  '4.0',
  '4.1',
  '4.2',
  '5.0',
  '5.1',
  '5.2',
  '5.3',
  '5.4',
  '6.0',
];

/** What the host found out about its controller at start-up. */
export interface ControllerInfo {
  /** HCI_Version and HCI_Subversion (Read Local Version Information); null when the answer lacked them. */
  readonly version: {
    readonly hci: number;
    readonly hciSubversion: number;
    readonly lmp: number;
    readonly lmpSubversion: number;
    /** Company identifier (Assigned Numbers). */
    readonly manufacturer: number;
  } | null;
  /** The 64-octet Supported Commands bitmap; null when the controller could not say (then every command is tried). */
  readonly supportedCommands: Uint8Array | null;
  /** The LE FeatureSet, 8 octets (zeros when unknown). */
  readonly leFeatures: Uint8Array;
  /** The ACL buffers LE data uses; `shared` when LE Read Buffer Size gave 0 and Read Buffer Size was used. */
  readonly aclBuffers: { readonly size: number; readonly count: number; readonly shared: boolean };
  /** Filter Accept List and resolving list sizes, and the largest data length; null when not read. */
  readonly acceptListSize: number | null;
  readonly resolvingListSize: number | null;
  readonly maxDataLength: { readonly txOctets: number; readonly rxOctets: number } | null;
  /** Known departures of this controller from the spec that the host works around (controller-problems.ts). */
  readonly problems: readonly ControllerProblem[];
}

/**
 * Whether the controller supports `command`: its bit in the Supported
 * Commands bitmap, or true when the controller did not give a bitmap.
 * @example
 * ```ts
 * supportsCommand(info, 'le-read-resolving-list-size'); // false on a 4.0 controller
 * ```
 */
export function supportsCommand(
  info: Pick<ControllerInfo, 'supportedCommands'>,
  command: HciCommand['name'],
): boolean {
  return info.supportedCommands === null || hasCommand(info.supportedCommands, COMMAND_ROW[command]);
}

/** Sends one command and resolves with its return parameters (the host's command channel). */
export type SendCommand = (command: HciCommand) => Promise<ReturnParameters>;

/** Runs `command` when the controller lists it; resolves undefined when it does not, or answers with an error. */
async function optional(
  send: SendCommand,
  info: Pick<ControllerInfo, 'supportedCommands'>,
  command: HciCommand,
): Promise<ReturnParameters | undefined> {
  if (!supportsCommand(info, command.name)) return undefined;
  try {
    return await send(command);
  } catch (error) {
    // Unknown HCI Command and the like: the controller does without it. A timeout or a closed transport is not that.
    if ((error as { name?: string }).name === 'HciCommandError') return undefined;
    throw error;
  }
}

/**
 * Asks the controller what it is and can do, sending only commands it lists.
 * Throws when the controller lacks LE (no LE Set Event Mask in its commands),
 * naming what is missing.
 * @example
 * ```ts
 * const info = await readControllerInfo((command) => channel.send(command));
 * console.log(describeController(info).join('\n'));
 * ```
 */
export async function readControllerInfo(send: SendCommand): Promise<ControllerInfo> {
  const versionAnswer = await optional(
    send,
    { supportedCommands: null },
    { name: 'read-local-version-information' },
  );
  const version =
    versionAnswer?.kind === 'read-local-version-information'
      ? {
          hci: versionAnswer.hciVersion,
          hciSubversion: versionAnswer.hciSubversion,
          lmp: versionAnswer.lmpVersion,
          lmpSubversion: versionAnswer.lmpSubversion,
          manufacturer: versionAnswer.companyIdentifier,
        }
      : null;
  // Read Local Supported Commands exists from Bluetooth 1.2 (HCI version 2) on.
  const commandsAnswer =
    version === null || version.hci >= 2
      ? await optional(send, { supportedCommands: null }, { name: 'read-local-supported-commands' })
      : undefined;
  const supportedCommands =
    commandsAnswer?.kind === 'read-local-supported-commands'
      ? Uint8Array.from(commandsAnswer.supportedCommands)
      : null;
  const known = { supportedCommands };
  if (supportedCommands !== null && !hasCommand(supportedCommands, 'LE Set Event Mask')) {
    throw new Error(
      `the controller does not support Bluetooth LE: its supported commands lack LE Set Event Mask` +
        (version ? ` (Bluetooth ${coreVersion(version.hci)})` : ''),
    );
  }
  const featuresAnswer = await optional(send, known, { name: 'le-read-local-supported-features' });
  const leFeatures =
    featuresAnswer?.kind === 'le-read-local-supported-features'
      ? Uint8Array.from(featuresAnswer.leFeatures)
      : new Uint8Array(8);
  const le = await optional(send, known, { name: 'le-read-buffer-size' });
  let size = le?.kind === 'le-read-buffer-size' ? le.leAclDataPacketLength : 0;
  let count = le?.kind === 'le-read-buffer-size' ? le.totalNumLeAclDataPackets : 0;
  let shared = false;
  if (size === 0 || count === 0) {
    // LE shares the BR/EDR buffers (7.8.2): Read Buffer Size gives them.
    const acl = await optional(send, known, { name: 'read-buffer-size' });
    if (acl?.kind === 'read-buffer-size') {
      size = acl.aclDataPacketLength;
      count = acl.totalNumAclDataPackets;
      shared = true;
    }
  }
  const listSize = (answer: ReturnParameters | undefined) =>
    answer?.kind === 'list-size' ? answer.size : null;
  // A controller that lists none of these (most before 4.2) is not asked.
  const acceptListSize = listSize(
    supportedCommands === null
      ? undefined
      : await optional(send, known, { name: 'le-read-filter-accept-list-size' }),
  );
  const resolvingListSize = listSize(
    supportedCommands === null
      ? undefined
      : await optional(send, known, { name: 'le-read-resolving-list-size' }),
  );
  const length =
    supportedCommands === null
      ? undefined
      : await optional(send, known, { name: 'le-read-maximum-data-length' });
  return {
    version,
    supportedCommands,
    leFeatures,
    aclBuffers: { size: Math.max(27, size || 27), count: Math.max(1, count), shared },
    acceptListSize,
    resolvingListSize,
    maxDataLength:
      length?.kind === 'le-read-maximum-data-length'
        ? { txOctets: length.supportedMaxTxOctets, rxOctets: length.supportedMaxRxOctets }
        : null,
    problems: knownControllerProblems(version),
  };
}

/**
 * The Bluetooth Core version of an HCI or LMP version number (Assigned Numbers 2.1).
 * @example
 * ```ts
 * coreVersion(9); // '5.0'
 * coreVersion(0x1f); // 'unknown (0x1f)'
 * ```
 */
export function coreVersion(version: number): string {
  return CORE_VERSION[version] ?? `unknown (0x${version.toString(16).padStart(2, '0')})`;
}

/**
 * What the host found, in lines a person reads: version and manufacturer,
 * LE features, buffers, lists, and what ble-smp will use.
 * @example
 * ```ts
 * for (const line of describeController(host.controller)) console.log(line);
 * ```
 */
export function describeController(info: ControllerInfo): string[] {
  const v = info.version;
  const features = leFeatureNames(info.leFeatures);
  const lines = [
    v
      ? `Bluetooth ${coreVersion(v.hci)} (HCI version 0x${hex(v.hci)}, revision 0x${hex(v.hciSubversion, 4)}; ` +
        `LMP 0x${hex(v.lmp)}, subversion 0x${hex(v.lmpSubversion, 4)}), manufacturer ${v.manufacturer} (0x${hex(v.manufacturer, 4)})`
      : 'version: the controller did not answer Read Local Version Information',
    info.supportedCommands
      ? `supported commands: ${bitmapToCommands(info.supportedCommands).length} listed`
      : 'supported commands: not given (every command is tried)',
    `LE features: ${features.length > 0 ? features.join(', ') : 'none'}`,
    `ACL buffers for LE: ${info.aclBuffers.count} of ${info.aclBuffers.size} octets${info.aclBuffers.shared ? ' (shared with BR/EDR: LE Read Buffer Size gave 0)' : ''}`,
    `Filter Accept List: ${info.acceptListSize ?? 'not read'}, resolving list: ${info.resolvingListSize ?? 'not read'}, ` +
      `largest data length: ${info.maxDataLength ? `${info.maxDataLength.txOctets} octets` : 'not read (27)'}`,
    'ble-smp will use: legacy advertising, scanning and connection commands; resolvable private addresses made by the host' +
      (hasLeFeature(info.leFeatures, 'LL Privacy')
        ? ' (the controller has LL Privacy; ble-smp does not use it)'
        : '') +
      `; L2CAP fragments of ${info.aclBuffers.size} octets, at most ${info.aclBuffers.count} in the controller at once.`,
  ];
  for (const p of info.problems) lines.push(`known problem: ${p.problem}; ${p.remedy} (${p.source})`);
  return lines;
}

function hex(value: number, digits = 2): string {
  return value.toString(16).padStart(digits, '0');
}
