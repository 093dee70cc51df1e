/**
 * CSR8510 A10 USB dongles (USB 0a12:0001), Bluetooth 4.0. Many dongles sold
 * under this USB id are clones that report other revisions. Fixture:
 * test/fixtures/controllers/csr8510.btmon.txt.
 * @module
 */
import { commandsBitmapFromHex } from '../../../hci/supported-commands.js';
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
const libbluetooth: Source = {
  kind: 'capture',
  url: 'https://github.com/cysp/libbluetooth-rs/blob/5408a9f17d95df502767e1f32be5552a0e68abd6/src/lib.rs',
  line: '// > 04 0E FC 01 14 0C 00 43 53 52 38 35 31 30 20 41 31 30 00 00',
  note: 'H4 packets of a Linux start-up kept in a Rust crate\'s test comments; the dongle\'s Read Local Name answers "CSR8510 A10" and its version is the 0x22bb build',
};
const at = (line: string): Source => ({ ...libbluetooth, line });
const zephyrPolling: Source = {
  kind: 'log',
  url: 'https://github.com/bobwenstudy/zephyr_polling/blob/0b32cebd2d8fd2a7ba2c2f2ccefd8302bc430c2e/doc/source/develop/getting_started/index.rst',
  line: '[2022-12-06 16:31:23.846] [0xad38] EVT <=  0E 44 01 02 10 00 FF FF FF 03 FE FF FF FF FF FF FF FF F3 0F E8 FE 3F F7 83 FF 1C 00 00 00 61 F7 FF FF 7F 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
  note: 'a second dongle of the same firmware build (USB 0a12:0001, revision 0x22bb) under a Zephyr-derived host on Windows, 2022-12-06',
};

/**
 * The Read Local Supported Commands answer of both captures, octet 0 first
 * (octets 29 to 63 are zero): the 170 commands of a Bluetooth 4.0 dual-mode
 * controller, LE Encrypt, LE Rand and LE Start Encryption among them, and no
 * command newer than 4.0 (no Data Length, no resolving list, no Set Event Mask
 * Page 2).
 */
const commandsBitmap = commandsBitmapFromHex(
  'FF FF FF 03 FE FF FF FF FF FF FF FF F3 0F E8 FE 3F F7 83 FF 1C 00 00 00 61 F7 FF FF 7F',
);

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
 * csr8510.leBuffers.value; // { size: 0, count: 0 }: LE shares the BR/EDR buffers
 * ```
 */
export const csr8510: ControllerProfile = Object.freeze({
  name: 'csr8510',
  title: 'CSR8510 A10 USB dongle',
  chip: 'Cambridge Silicon Radio CSR8510 A10 (USB 0a12:0001)',
  transport: 'usb',
  version: Object.freeze({
    hciVersion: known(0x06, [zephyrLog, at('// > 04 0E 0C 01 01 10 00 06 BB 22 06 0A 00 BB 22')]),
    hciRevision: known(
      0x22bb,
      [zephyrLog, btusb],
      'firmware build: Linux lists 0x1d86, 0x2031 and 0x22bb as genuine CSR 4.0 builds (revision equal to LMP subversion); clones with the same USB id report other values (0x0709 in the gist source)',
    ),
    lmpVersion: known(0x06, [lmpLine]),
    lmpSubversion: known(0x22bb, [lmpLine]),
    manufacturer: known(10, [zephyrLog, { ...clone, line: 'Manufacturer: Cambridge Silicon Radio (10)' }]),
  }),
  supportedCommands: known({ bitmap: commandsBitmap, complete: true }, [
    zephyrPolling,
    at('// > 04 0E 44 01 02 10 00 FF FF FF 03 FE FF FF FF FF FF FF FF F3'),
  ]),
  leFeatures: known(
    Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0),
    [
      at('// > 04 0E 0C 01 03 20 00 01 00 00 00 00 00 00 00'),
      {
        ...zephyrPolling,
        line: '[2022-12-06 16:31:23.859] [0xad38] EVT <=  0E 0C 01 03 20 00 01 00 00 00 00 00 00 00',
      },
    ],
    'LE Encryption only',
  ),
  leBuffers: known(
    { size: 0, count: 0 },
    [at('// > 04 0E 07 01 02 20 00 00 00 00')],
    'no LE buffers of its own: LE data shares the BR/EDR ACL buffers (310 x 10), which the host reads with Read Buffer Size',
  ),
  aclBuffers: known({ size: 310, count: 10 }, [
    hciconfig,
    secondDongle,
    at('// > 04 0E 0B 01 05 10 00 36 01 40 0A 00 08 00'),
  ]),
  acceptListSize: known(25, [at('// > 04 0E 05 01 0F 20 00 19')]),
  resolvingListSize: unknown(
    'a 4.0 controller has no resolving list (LL Privacy is a 4.2 feature): its complete command list has no LE Read Resolving List Size',
  ),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: known(Uint8Array.of(0xff, 0xff, 0xff, 0x1f, 0, 0, 0, 0), [
    at('// > 04 0E 0C 01 1C 20 00 FF FF FF 1F 00 00 00 00'),
  ]),
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
