/**
 * CSR8510 A10 USB dongles (USB 0a12:0001), Bluetooth 4.0. Many dongles sold
 * under this USB id are clones that report other revisions. Fixture:
 * test/fixtures/controllers/csr8510.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const zephyrLog: Source = {
  kind: 'log',
  url: 'https://github.com/apache/nuttx/pull/1651',
  line: '[    4.367500] HCI: version 4.0 (0x06) revision 0x22bb, manufacturer 0x000a',
  note: 'Zephyr host start-up log on a USB 0a12:0001 dongle',
};
const lmpLine: Source = { ...zephyrLog, line: '[    4.367500] LMP: version 4.0 (0x06) subver 0x22bb' };
const hciconfig: Source = {
  kind: 'hciconfig',
  url: 'https://github.com/custom-components/ble_monitor/issues/748',
  line: 'BD Address: 00:1A:7D:DA:71:0C  ACL MTU: 310:10  SCO MTU: 64:8',
  note: 'USB 0a12:0001 "Cambridge Silicon Radio, Ltd Bluetooth Dongle (HCI mode)"',
};
const btusb: Source = {
  kind: 'source',
  url: 'https://github.com/torvalds/linux/blob/master/drivers/bluetooth/btusb.c',
  line: '* - 4.0 (0x6) ->         0x1d86, 0x2031, 0x22bb',
  note: "the Linux driver's list of genuine CSR firmware builds and how it tells clones apart",
};
const secondDongle: Source = {
  kind: 'hciconfig',
  url: 'notes file in a public GitHub repository (search index file id 47737770931)',
  line: 'BD Address: 00:01:95:79:EF:89  ACL MTU: 310:10  SCO MTU: 64:8',
  note: 'a second CSR 4.0 dongle, firmware build 0x2031',
};
const clone: Source = {
  kind: 'capture',
  url: 'https://gist.github.com/Swyter/34b93e3abda433a742e024e3a6ec8e69',
  line: 'HCI version: Bluetooth 4.0 (0x06) - Revision 1801 (0x0709)',
  note: 'btmon 5.65 of clone dongles, collected for https://bugzilla.kernel.org/show_bug.cgi?id=60824',
};

/**
 * The CSR8510 A10 controller profile.
 * @example
 * ```ts
 * csr8510.aclBuffers.value; // { size: 310, count: 10 }
 * ```
 */
export const csr8510: ControllerProfile = Object.freeze({
  name: 'csr8510',
  title: 'CSR8510 A10 USB dongle',
  chip: 'Cambridge Silicon Radio CSR8510 A10 (USB 0a12:0001)',
  transport: 'usb',
  version: Object.freeze({
    hciVersion: known(0x06, [zephyrLog]),
    hciRevision: known(
      0x22bb,
      [zephyrLog, btusb],
      'firmware build: Linux lists 0x1d86, 0x2031 and 0x22bb as genuine CSR 4.0 builds (revision equal to LMP subversion); clones with the same USB id report other values (0x0709 in the gist source)',
    ),
    lmpVersion: known(0x06, [lmpLine]),
    lmpSubversion: known(0x22bb, [lmpLine]),
    manufacturer: known(10, [zephyrLog, { ...clone, line: 'Manufacturer: Cambridge Silicon Radio (10)' }]),
  }),
  supportedCommands: unknown(
    'no public capture of Read Local Supported Commands from a CSR8510 A10 was found',
  ),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from a CSR8510 A10 was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from a CSR8510 A10 was found'),
  aclBuffers: known({ size: 310, count: 10 }, [hciconfig, secondDongle]),
  acceptListSize: unknown('no public capture of LE Read White List Size from a CSR8510 A10 was found'),
  resolvingListSize: unknown(
    'a 4.0 controller has no resolving list (LL Privacy is a 4.2 feature); not captured',
  ),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from a CSR8510 A10 was found'),
  quirks: Object.freeze([
    Object.freeze({
      id: 'clone-variants',
      description:
        'Dongles sold with USB id 0a12:0001 include clones that report Bluetooth 4.0 and manufacturer 10 but other revisions and behaviour; a host should not trust the id alone.',
      sources: Object.freeze([
        clone,
        {
          ...btusb,
          line: '* is Cambridge Silicon Radio (10) and ensuring that LMP sub-version and',
        } satisfies Source,
      ]),
    }),
    Object.freeze({
      id: 'broken-stored-link-key',
      description:
        'Linux marks CSR8510-based dongles HCI_QUIRK_BROKEN_STORED_LINK_KEY: the BR/EDR stored-link-key commands are not to be used (no effect on LE).',
      sources: Object.freeze([{ ...btusb, line: '*   HCI_QUIRK_BROKEN_STORED_LINK_KEY' } satisfies Source]),
    }),
  ]),
  fixture: 'test/fixtures/controllers/csr8510.btmon.txt',
});
