/**
 * Raspberry Pi 3 Model B and Zero W: the built-in Broadcom/Cypress BCM43430A1
 * (CYW43438), Bluetooth 4.1, on a UART. Fixture:
 * test/fixtures/controllers/pi3b.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const hcidump: Source = {
  kind: 'capture',
  url: 'https://github.com/currantlabs/ble/issues/29',
  line: 'HCI Version: 4.1 (0x7) HCI Revision: 0xb6',
  note: 'hcidump (BlueZ 5.43) on a Raspberry Pi 3 Model B, 2017-01-23',
};
const at = (line: string): Source => ({ ...hcidump, line });

/**
 * The Pi 3B / Zero W controller profile.
 * @example
 * ```ts
 * pi3b.version.hciVersion.value; // 0x07 (Bluetooth 4.1)
 * ```
 */
export const pi3b: ControllerProfile = Object.freeze({
  name: 'pi3b',
  title: 'Raspberry Pi 3 Model B / Zero W built-in',
  chip: 'Broadcom BCM43430A1 (Cypress CYW43438), patch RAM firmware loaded by the host at start-up',
  transport: 'uart',
  version: Object.freeze({
    hciVersion: known(0x07, [hcidump]),
    hciRevision: known(
      0xb6,
      [hcidump],
      'depends on the firmware patch: another Pi 3 trace (https://github.com/currantlabs/ble/issues/61) shows Revision 0x145 with the same subversion',
    ),
    lmpVersion: known(0x07, [at('LMP Version: 4.1 (0x7) LMP Subversion: 0x2209')]),
    lmpSubversion: known(0x2209, [at('LMP Version: 4.1 (0x7) LMP Subversion: 0x2209')]),
    manufacturer: known(
      15,
      [at('Manufacturer: Broadcom Corporation (15)')],
      'Broadcom (15), not Cypress (305), with the firmware of that capture',
    ),
  }),
  supportedCommands: unknown(
    'no public capture of Read Local Supported Commands from this controller was found',
  ),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from this controller was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from this controller was found'),
  aclBuffers: known({ size: 1021, count: 8 }, [at('ACL MTU 1021:8 SCO MTU 64:1')]),
  acceptListSize: unknown('no public capture of LE Read White List Size from this controller was found'),
  resolvingListSize: unknown(
    'a 4.1 controller has no resolving list (LL Privacy is a 4.2 feature); not captured',
  ),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from this controller was found'),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/pi3b.btmon.txt',
});
