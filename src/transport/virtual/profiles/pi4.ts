/**
 * Raspberry Pi 4 / CM4 (and 3B+, same chip): the built-in Cypress
 * CYW43455 (BCM4345C0), Bluetooth 5.0 with the current Raspberry Pi firmware,
 * on a UART. The Pi 400 reports another chip (LMP subversion 0x6606,
 * BCM4345C5) and has its own profile, `pi400`. The Zero 2 W, named with this
 * group in issue 16, reports the Pi 3B's controller (BCM43430A1, 4.1) on the
 * boards captured, so `pi3b` stands for it. Fixture: test/fixtures/controllers/pi4.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Quirk, type Source, unknown } from './profile.js';

const hciconfig: Source = {
  kind: 'hciconfig',
  url: 'public GitHub repository file, blog post "Install Bluez 5.66 on Debian Bullseye (Pi4, CM4)" by Franz Geffke, 2023-11-07 (search index file id 31380456107)',
  line: 'HCI Version: 5.0 (0x9)  Revision: 0x17e',
  note: 'Pi 4 / CM4 with firmware "BCM43455 37.4MHz Raspberry Pi 3+-0190"',
};
const at = (line: string): Source => ({ ...hciconfig, line });

const infineon: Source = {
  kind: 'capture',
  url: 'https://community.infineon.com/t5/Wi-Fi-Bluetooth-for-Linux/CYW43455-seems-losing-BLE-packets/td-p/51794',
  line: '> HCI Event: Command Complete (0x0e) plen 14 #13 [hci0] 7.479357',
  note: 'btmon on a Raspberry Pi 4',
};

/**
 * Quirks of the CYW43455 with the Raspberry Pi firmware.
 * @example
 * ```ts
 * cyw43455Quirks.map((q) => q.id); // ['command-complete-after-status']
 * ```
 */
export const cyw43455Quirks: readonly Quirk[] = Object.freeze([
  Object.freeze({
    id: 'command-complete-after-status',
    description:
      'LE Read Remote Used Features (0x2016) is answered with Command Status (Success) and then also with a Command Complete carrying 10 zero octets, before the LE Read Remote Features Complete event.',
    sources: Object.freeze([infineon]),
    // The capture's Command Complete: plen 14 = ncmd, opcode, Status 0x00 and 10 zero octets.
    play: Object.freeze({
      kind: 'extra-command-complete',
      opcode: 0x2016,
      returnParameters: new Uint8Array(11),
    } as const),
  }),
]);

/**
 * The Pi 4 / CM4 controller profile.
 * @example
 * ```ts
 * pi4.version.manufacturer.value; // 305 (Cypress Semiconductor)
 * ```
 */
export const pi4: ControllerProfile = Object.freeze({
  name: 'pi4',
  title: 'Raspberry Pi 4 / CM4 built-in',
  chip: 'Cypress CYW43455 (BCM4345C0), firmware BCM4345C0.hcd "Raspberry Pi 3+-0190"',
  transport: 'uart',
  version: Object.freeze({
    hciVersion: known(
      0x09,
      [hciconfig],
      'older Raspberry Pi firmware builds for the same chip reported 4.1 (build 0139) and 4.2 (builds 0141, 0252): https://github.com/RPi-Distro/bluez-firmware/issues/4',
    ),
    hciRevision: known(
      0x17e,
      [hciconfig],
      'firmware dependent: other Pi 4 firmware builds report Revision 0x156 and 0x122 with the same subversion 0x6119 (hciconfig in public GitHub repository files, search index file ids 3594566491 and 66181751514)',
    ),
    lmpVersion: known(0x09, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6119')]),
    lmpSubversion: known(0x6119, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6119')]),
    manufacturer: known(305, [at('Manufacturer: Cypress Semiconductor (305)')]),
  }),
  supportedCommands: unknown(
    'no public capture of Read Local Supported Commands from this firmware was found',
  ),
  leFeatures: unknown(
    'not captured for the 5.0 firmware; the 4.2 firmware build 0252 reported 0x2f 0x00 ... (LE Encryption, Connection Parameter Request, Extended Reject Indication, Peripheral-initiated Features Exchange, Data Length Extension) in https://github.com/RPi-Distro/bluez-firmware/issues/4, kept out of this profile because the firmware differs',
  ),
  leBuffers: unknown('no public capture of LE Read Buffer Size from this firmware was found'),
  aclBuffers: known({ size: 1021, count: 8 }, [
    at('BD Address: E4:5F:01:28:C3:99  ACL MTU: 1021:8  SCO MTU: 64:1'),
  ]),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from this firmware was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from this firmware was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from this firmware was found'),
  quirks: cyw43455Quirks,
  fixture: 'test/fixtures/controllers/pi4.btmon.txt',
});
