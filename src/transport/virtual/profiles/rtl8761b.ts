/**
 * Realtek RTL8761B / RTL8761BU USB dongles (for example ASUS USB-BT500,
 * TP-Link UB500), Bluetooth 5.1 once the host has loaded the Realtek firmware.
 * Fixture: test/fixtures/controllers/rtl8761b.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Quirk, type Source, unknown } from './profile.js';

const hciconfig: Source = {
  kind: 'hciconfig',
  url: 'https://github.com/bluez/bluez/issues/482',
  line: 'HCI Version: 5.1 (0xa)  Revision: 0x9a9',
  note: 'RTL8761B dongle with the Realtek firmware loaded (local name RTK_BT_5.0)',
};
const at = (line: string): Source => ({ ...hciconfig, line });
/** @internal shared with the ROM profile. */
export const manual: Source = {
  kind: 'document',
  url: 'https://hadess.github.io/bluez/btmon.html',
  line: 'For example, Intel is 2 and Realtek is 93.',
};
/** @internal shared with the ROM profile. */
export const tlink: Source = {
  kind: 'report',
  url: 'https://github.com/bluez/bluetooth-next/pull/274',
  line: 'The controller reports Realtek Semiconductor Corporation as the',
};
/** @internal shared with the ROM profile. */
export const rom: Source = {
  kind: 'log',
  url: 'https://github.com/Adam-Langley/pybleno/pull/65',
  line: '  Bluetooth: hci0: RTL: examining hci_ver=0a hci_rev=000b lmp_ver=0a lmp_subver=8761',
  note: 'ASUS USB-BT500 before the firmware download',
};

/**
 * What the Realtek ROM does until the host loads the firmware: shared by this
 * profile (firmware loaded, recorded) and {@link rtl8761bRom} (played).
 * @example
 * ```ts
 * needsFirmwareDownload.id; // 'needs-firmware-download'
 * ```
 */
export const needsFirmwareDownload: Quirk = Object.freeze({
  id: 'needs-firmware-download',
  description:
    'The ROM answers at start-up (HCI 5.1, revision 0x000b, subversion 0x8761) until the host downloads the Realtek firmware with vendor commands; without it the controller never reports advertisements in passive scanning.',
  sources: Object.freeze([
    rom,
    {
      kind: 'report',
      url: 'https://github.com/bluez/bluetooth-next/pull/708',
      line: 'never reports advertisements during passive scanning.',
    } satisfies Source,
  ]),
});

/**
 * The RTL8761B controller profile.
 * @example
 * ```ts
 * rtl8761b.quirks.map((q) => q.id); // ['needs-firmware-download', 'broken-extended-scan']
 * ```
 */
export const rtl8761b: ControllerProfile = Object.freeze({
  name: 'rtl8761b',
  title: 'Realtek RTL8761B / RTL8761BU USB dongle',
  chip: 'Realtek RTL8761B(U), firmware rtl_bt/rtl8761bu_fw.bin loaded by the host',
  transport: 'usb',
  version: Object.freeze({
    hciVersion: known(0x0a, [hciconfig]),
    hciRevision: known(
      0x9a9,
      [hciconfig],
      'depends on the firmware: the ROM reports hci_rev 0x000b before the download; an RTL8761BU with firmware 0xdfc6d922 reported Revision 0xdfc6 and Subversion 0xd922 (linux-bluetooth mail by Kirill A. Shutemov, search index file id 23923603661)',
    ),
    lmpVersion: known(0x0a, [at('LMP Version: 5.1 (0xa)  Subversion: 0x8a6b')]),
    lmpSubversion: known(
      0x8a6b,
      [at('LMP Version: 5.1 (0xa)  Subversion: 0x8a6b')],
      'before the firmware download the ROM reports lmp_subver 0x8761',
    ),
    manufacturer: known(
      93,
      [tlink, manual],
      'the sources name Realtek; the number is its company identifier',
    ),
  }),
  supportedCommands: unknown('no public capture of Read Local Supported Commands from an RTL8761B was found'),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from an RTL8761B was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from an RTL8761B was found'),
  aclBuffers: known({ size: 1021, count: 6 }, [
    at('BD Address: 8C:88:2B:45:0B:5E  ACL MTU: 1021:6  SCO MTU: 255:12'),
  ]),
  acceptListSize: unknown('no public capture of LE Read Accept List Size from an RTL8761B was found'),
  resolvingListSize: unknown('no public capture of LE Read Resolving List Size from an RTL8761B was found'),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from an RTL8761B was found'),
  quirks: Object.freeze([
    needsFirmwareDownload,
    Object.freeze({
      id: 'broken-extended-scan',
      description:
        'Reports HCI 5.1 but does not support the LE Extended Scan commands (the report shows opcode 0x2042 failing with -EBUSY in the kernel while a connection is up); a host should use the legacy scan commands.',
      sources: Object.freeze([
        {
          kind: 'report',
          url: 'https://github.com/bluez/bluetooth-next/pull/133',
          line: 'RTL8761B and RTL8761BU devices report HCI version 5.1 but do not',
        } satisfies Source,
      ]),
    }),
  ]),
  fixture: 'test/fixtures/controllers/rtl8761b.btmon.txt',
});
