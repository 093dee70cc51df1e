/**
 * Intel Wi-Fi 6 AX200 (Bluetooth over USB). No public capture of its start-up
 * was found; only the manufacturer is known. Fixture:
 * test/fixtures/controllers/intel-ax200.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, unknown } from './profile.js';

const missing = 'no public capture of this answer from an AX200 was found';

/**
 * The Intel AX200 controller profile (mostly unknown).
 * @example
 * ```ts
 * intelAx200.leBuffers.value; // null: not captured
 * ```
 */
export const intelAx200: ControllerProfile = Object.freeze({
  name: 'intel-ax200',
  title: 'Intel Wi-Fi 6 AX200 Bluetooth',
  chip: 'Intel AX200',
  transport: 'pcie-usb',
  version: Object.freeze({
    hciVersion: unknown(missing),
    hciRevision: unknown(missing),
    lmpVersion: unknown(missing),
    lmpSubversion: unknown(missing),
    manufacturer: known(
      2,
      [
        {
          kind: 'document',
          url: 'https://hadess.github.io/bluez/btmon.html',
          line: 'For example, Intel is 2 and Realtek is 93.',
        },
      ],
      'Intel company identifier; not read from an AX200 capture',
    ),
  }),
  supportedCommands: unknown(missing),
  leFeatures: unknown(missing),
  leBuffers: unknown(missing),
  aclBuffers: unknown(missing),
  acceptListSize: unknown(missing),
  resolvingListSize: unknown(missing),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown(missing),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/intel-ax200.btmon.txt',
});
