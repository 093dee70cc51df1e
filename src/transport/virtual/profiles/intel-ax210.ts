/**
 * Intel AX210 (Wi-Fi 6E card, Bluetooth over USB 8087:0032). Fixture:
 * test/fixtures/controllers/intel-ax210.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const readVersion: Source = {
  kind: 'capture',
  url: 'https://github.com/bluez/bluez/pull/661',
  line: '        HCI Revision(37): 0x3597',
  note: 'btmon decoding of the Intel Read Version vendor command (0xfc05) on USB 8087:0032, firmware build 23-42; the product id is the identification, the source does not name the card',
};
const at = (line: string): Source => ({ ...readVersion, line });

/**
 * The Intel AX210 controller profile.
 * @example
 * ```ts
 * intelAx210.version.manufacturer.value; // 2 (Intel Corp.)
 * ```
 */
export const intelAx210: ControllerProfile = Object.freeze({
  name: 'intel-ax210',
  title: 'Intel Wi-Fi 6E AX210 Bluetooth',
  chip: 'Intel AX210 (USB 8087:0032)',
  transport: 'pcie-usb',
  version: Object.freeze({
    hciVersion: unknown(
      'the only capture found is the vendor Read Version, which does not carry the HCI version',
    ),
    hciRevision: known(0x3597, [readVersion], 'firmware build dependent'),
    lmpVersion: unknown(
      'the only capture found is the vendor Read Version, which does not carry the LMP version',
    ),
    lmpSubversion: known(0x3597, [at('        LMP SubVersion(38): 0x3597')], 'firmware build dependent'),
    manufacturer: known(2, [at('        Manufacturer(36): Intel Corp. (2)')]),
  }),
  supportedCommands: unknown('no public capture of Read Local Supported Commands from an AX210 was found'),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from an AX210 was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from an AX210 was found'),
  aclBuffers: unknown('no public capture of Read Buffer Size from an AX210 was found'),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from an AX210 was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from an AX210 was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from an AX210 was found'),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/intel-ax210.btmon.txt',
});
