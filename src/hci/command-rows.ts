/**
 * Which row of the Supported Commands table stands for each command of
 * {@link HciCommand}.
 * @module
 */
import type { HciCommand } from './commands.js';

/**
 * The Supported Commands row (Core v5.4 Vol 4 Part E 6.27, as btmon names it,
 * see supported-commands.ts) of each HCI command this library sends: what the
 * host looks up before sending one, and what a virtual controller playing a
 * profile checks before carrying one out.
 * @example
 * ```ts
 * hasCommand(bitmap, COMMAND_ROW['le-read-resolving-list-size']);
 * ```
 */
export const COMMAND_ROW: Readonly<Record<HciCommand['name'], string>> = {
  disconnect: 'Disconnect',
  'set-event-mask': 'Set Event Mask',
  reset: 'Reset',
  'read-local-version-information': 'Read Local Version Information',
  'read-local-supported-commands': 'Read Local Supported Commands',
  'read-buffer-size': 'Read Buffer Size',
  'read-bd-addr': 'Read BD ADDR',
  'le-set-event-mask': 'LE Set Event Mask',
  'le-read-buffer-size': 'LE Read Buffer Size',
  'le-read-local-supported-features': 'LE Read Local Supported Features',
  'le-read-filter-accept-list-size': 'LE Read Accept List Size',
  'le-read-resolving-list-size': 'LE Read Resolving List Size',
  'le-read-maximum-data-length': 'LE Read Maximum Data Length',
  'le-set-random-address': 'LE Set Random Address',
  'le-set-advertising-parameters': 'LE Set Advertising Parameters',
  'le-set-advertising-data': 'LE Set Advertising Data',
  'le-set-scan-response-data': 'LE Set Scan Response Data',
  'le-set-advertising-enable': 'LE Set Advertise Enable',
  'le-set-scan-parameters': 'LE Set Scan Parameters',
  'le-set-scan-enable': 'LE Set Scan Enable',
  'le-create-connection': 'LE Create Connection',
  'le-create-connection-cancel': 'LE Create Connection Cancel',
  'le-connection-update': 'LE Connection Update',
  'le-read-remote-features': 'LE Read Remote Used Features',
  'le-rand': 'LE Rand',
  'le-start-encryption': 'LE Start Encryption',
  'le-long-term-key-request-reply': 'LE Long Term Key Request Reply',
  'le-long-term-key-request-negative-reply': 'LE Long Term Key Request Neg Reply',
};
