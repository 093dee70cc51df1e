/**
 * Raspberry Pi 400: its built-in controller reports LMP subversion 0x6606,
 * which Linux names BCM4345C5 (firmware 003.006.006), not the BCM4345C0
 * (subversion 0x6119) of the Pi 4 and CM4 in `pi4`. Bluetooth 5.0, on a UART.
 * Only what `hciconfig -a` shows is known. Fixture:
 * test/fixtures/controllers/pi400.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const hciconfig: Source = {
  kind: 'hciconfig',
  url: 'https://wiki.kewl.org/interfaces:bluetooth',
  line: 'HCI Version: 5.0 (0x9)  Revision: 0x36',
  note: '"Raspberry Pi 400 Rev 1.0", hciconfig -a under BlueZ 5.55',
};
const at = (line: string): Source => ({ ...hciconfig, line });
const btbcm: Source = {
  kind: 'source',
  url: 'https://github.com/torvalds/linux/blob/master/drivers/bluetooth/btbcm.c',
  line: '{ 0x6606, "BCM4345C5"	},	/* 003.006.006 */',
  note: "Linux's table of Broadcom UART controllers by LMP subversion",
};

/**
 * The Pi 400 controller profile.
 * @example
 * ```ts
 * pi400.version.lmpSubversion.value; // 0x6606 (BCM4345C5)
 * ```
 */
export const pi400: ControllerProfile = Object.freeze({
  name: 'pi400',
  title: 'Raspberry Pi 400 built-in',
  chip: 'Broadcom BCM4345C5 (the name Linux gives LMP subversion 0x6606), firmware loaded by the host at start-up',
  transport: 'uart',
  version: Object.freeze({
    hciVersion: known(0x09, [hciconfig]),
    hciRevision: known(0x36, [hciconfig], 'the firmware build of that capture'),
    lmpVersion: known(0x09, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6606')]),
    lmpSubversion: known(0x6606, [at('LMP Version: 5.0 (0x9)  Subversion: 0x6606'), btbcm]),
    manufacturer: known(15, [at('Manufacturer: Broadcom Corporation (15)')]),
  }),
  supportedCommands: unknown('no public capture of Read Local Supported Commands from a Pi 400 was found'),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from a Pi 400 was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from a Pi 400 was found'),
  aclBuffers: known({ size: 1021, count: 8 }, [
    at('BD Address: DC:A6:32:DC:5A:E8  ACL MTU: 1021:8  SCO MTU: 64:1'),
  ]),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from a Pi 400 was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from a Pi 400 was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from a Pi 400 was found'),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/pi400.btmon.txt',
});
