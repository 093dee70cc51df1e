/**
 * Raspberry Pi 5: the built-in Cypress CYW43455, Bluetooth 5.0, on a UART; the
 * capture shows the same firmware revision (0x17e) as the Pi 4. Fixture:
 * test/fixtures/controllers/pi5.btmon.txt.
 * @module
 */
import { cyw43455Quirks } from './pi4.js';
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const hciconfig: Source = {
  kind: 'hciconfig',
  url: 'public GitHub repository notes file, section "Bluetooth info", host raspberrypi5 (search index file id 30210326943)',
  line: 'HCI Version: 5.0 (0x9)  Revision: 0x17e',
};
const at = (line: string): Source => ({ ...hciconfig, line });

/**
 * The Pi 5 controller profile.
 * @example
 * ```ts
 * pi5.aclBuffers.value; // { size: 1021, count: 8 }
 * ```
 */
export const pi5: ControllerProfile = Object.freeze({
  name: 'pi5',
  title: 'Raspberry Pi 5 built-in',
  chip: 'Cypress CYW43455 (BCM4345C0)',
  transport: 'uart',
  version: Object.freeze({
    hciVersion: known(0x09, [hciconfig]),
    hciRevision: known(0x17e, [hciconfig]),
    lmpVersion: known(0x09, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6119')]),
    lmpSubversion: known(0x6119, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6119')]),
    manufacturer: known(305, [at('Manufacturer: Cypress Semiconductor (305)')]),
  }),
  supportedCommands: unknown('no public capture of Read Local Supported Commands from a Pi 5 was found'),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from a Pi 5 was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from a Pi 5 was found'),
  aclBuffers: known({ size: 1021, count: 8 }, [
    at('BD Address: D8:3A:DD:A7:B2:00  ACL MTU: 1021:8  SCO MTU: 64:1'),
  ]),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from a Pi 5 was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from a Pi 5 was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from a Pi 5 was found'),
  // Reported on a Pi 4; the Pi 5 capture shows the same chip and firmware revision 0x17e.
  quirks: cyw43455Quirks,
  fixture: 'test/fixtures/controllers/pi5.btmon.txt',
});
