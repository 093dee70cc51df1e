/**
 * A Realtek RTL8761B / RTL8761BU USB dongle still on its ROM: the state
 * Linux leaves it in when btusb does not know its USB id or the firmware file
 * is missing. It advertises and scans actively, but reports no advertisement
 * while scanning passively. Fixture: test/fixtures/controllers/rtl8761b-rom.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, unknown } from './profile.js';
import { manual, needsFirmwareDownload, rom, tlink } from './rtl8761b.js';

/**
 * The RTL8761B ROM profile: the version the ROM reports, and the passive
 * scanning it does not do (played).
 * @example
 * ```ts
 * rtl8761bRom.version.lmpSubversion.value; // 0x8761
 * ```
 */
export const rtl8761bRom: ControllerProfile = Object.freeze({
  name: 'rtl8761b-rom',
  title: 'Realtek RTL8761B / RTL8761BU USB dongle, firmware not loaded (ROM)',
  chip: 'Realtek RTL8761B(U) running its ROM: rtl_bt/rtl8761bu_fw.bin was not downloaded',
  transport: 'usb',
  version: Object.freeze({
    hciVersion: known(0x0a, [rom]),
    hciRevision: known(0x000b, [rom]),
    lmpVersion: known(0x0a, [rom]),
    lmpSubversion: known(0x8761, [rom, tlink]),
    manufacturer: known(
      93,
      [tlink, manual],
      'the sources name Realtek; the number is its company identifier',
    ),
  }),
  supportedCommands: unknown('no public capture of Read Local Supported Commands from the ROM was found'),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from the ROM was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from the ROM was found'),
  aclBuffers: unknown('no public capture of Read Buffer Size from the ROM was found'),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from the ROM was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from the ROM was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from the ROM was found'),
  quirks: Object.freeze([
    Object.freeze({
      ...needsFirmwareDownload,
      play: Object.freeze({ kind: 'no-passive-scan-reports' } as const),
    }),
  ]),
  fixture: 'test/fixtures/controllers/rtl8761b-rom.btmon.txt',
});
