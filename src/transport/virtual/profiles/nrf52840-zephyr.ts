/**
 * Nordic nRF52840 running Zephyr's HCI firmware (samples/bluetooth/hci_usb or
 * hci_uart), LE only. Values come from the Zephyr controller's Kconfig defaults
 * and HCI source at the cited commit (an older Zephyr; current releases name
 * the buffer options BT_BUF_ACL_*), and from a Bumble log of an nRF52840
 * dongle running hci_usb (LE buffers, LE features, LE states); a board built
 * with other options reports other values. Fixture: test/fixtures/controllers/nrf52840-zephyr.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const kconfig =
  'https://github.com/zephyrproject-rtos/zephyr/blob/001a474db4e2454ae05726c6ccf145c72edb33c4/subsys/bluetooth/controller/Kconfig';
const hciUartConf =
  'https://github.com/zephyrproject-rtos/zephyr/blob/00ef4425ff063e39150ea4e91a190cc7ae0e05f1/samples/bluetooth/hci_uart/prj.conf';
const bumbleLog: Source = {
  kind: 'log',
  url: 'https://github.com/google/bumble/issues/965',
  line: 'le_acl_data_packet_length:     27',
  note: 'an nRF52840 dongle with Zephyr hci_usb (USB 2FE3:000B "Zephyr USBD BT HCI") behind bumble-hci-bridge, 2026-08-12',
};
const logged = (line: string): Source => ({ ...bumbleLog, line });
const hciC: Source = {
  kind: 'source',
  url: 'https://github.com/zephyrproject-rtos/zephyr (subsys/bluetooth/controller/hci/hci.c, read_local_version_info)',
  line: '\trp->hci_revision = sys_cpu_to_le16(0);',
};

/**
 * The nRF52840 + Zephyr HCI controller profile.
 * @example
 * ```ts
 * nrf52840Zephyr.resolvingListSize.value; // 8
 * ```
 */
export const nrf52840Zephyr: ControllerProfile = Object.freeze({
  name: 'nrf52840-zephyr',
  title: 'nRF52840 with Zephyr hci_usb / hci_uart',
  chip: 'Nordic nRF52840, Zephyr Bluetooth LE controller (BT_LL_SW)',
  transport: 'usb',
  version: Object.freeze({
    hciVersion: unknown('LL_VERSION_NUMBER depends on the Zephyr release and its configuration'),
    hciRevision: known(0, [hciC]),
    lmpVersion: unknown('LL_VERSION_NUMBER depends on the Zephyr release and its configuration'),
    lmpSubversion: known(0xffff, [
      logged('lmp_subversion:     65535'),
      { kind: 'source', url: kconfig, line: 'config BT_CTLR_SUBVERSION_NUMBER' },
      { ...hciC, line: '\trp->lmp_subversion = sys_cpu_to_le16(ll_settings_subversion_number());' },
    ]),
    manufacturer: known(
      0x05f1,
      [
        logged('company_identifier: 1521'),
        { kind: 'source', url: kconfig, line: 'config BT_CTLR_COMPANY_ID' },
        { ...hciC, line: '\trp->manufacturer = sys_cpu_to_le16(ll_settings_company_id());' },
      ],
      'The Linux Foundation, the Kconfig default; a vendor build may set its own',
    ),
  }),
  supportedCommands: unknown(
    'computed by hci.c from the build configuration; not captured from a running board',
  ),
  leFeatures: known(
    Uint8Array.of(0xdf, 0x49, 0x01, 0, 0, 0, 0, 0),
    [logged('le_features: df49010000000000')],
    'computed from the build configuration; this build reports LE Encryption, Connection Parameter Request, Extended Reject Indication, Peripheral-initiated Features Exchange, LE Ping, LL Privacy, Extended Scanner Filter Policies, 2M and Coded PHY, Channel Selection Algorithm #2 and Minimum Used Channels, and no Data Length Extension',
  ),
  leBuffers: known(
    { size: 27, count: 7 },
    [bumbleLog, logged('total_num_le_acl_data_packets: 7')],
    "the count follows the build: 7 is the Kconfig's `default 7 if BT_HCI_RAW` of BT_CTLR_TX_BUFFERS; another nRF52840 hci_usb build reported 3 (https://github.com/google/bumble/pull/946)",
  ),
  aclBuffers: unknown(
    'LE-only controller (BR/EDR Not Supported); its Read Buffer Size answer was not captured',
  ),
  acceptListSize: unknown('not found in the sources read'),
  resolvingListSize: known(
    8,
    [{ kind: 'source', url: kconfig, line: 'config BT_CTLR_RL_SIZE' }],
    'Kconfig default; nRF5x hardware limits it to 8',
  ),
  maxLeConnections: known(
    16,
    [
      { kind: 'source', url: hciUartConf, line: 'CONFIG_BT_MAX_CONN=16' },
      {
        kind: 'source',
        url: 'https://github.com/zephyrproject-rtos/zephyr (subsys/bluetooth/controller/ll_sw/ull_conn.c)',
        line: 'static struct ll_conn conn_pool[CONFIG_BT_MAX_CONN];',
      },
    ],
    "the hci_uart sample's prj.conf at a newer commit than the Kconfig above; the controller keeps one context per connection in a pool of BT_MAX_CONN. The hci_usb sample's prj.conf sets no BT_MAX_CONN, so a build of it has the Kconfig default instead",
  ),
  leStates: known(Uint8Array.of(0xff, 0xff, 0x3f, 0xff, 0xff, 0x03, 0, 0), [
    logged('le_states: ffff3fffff030000'),
  ]),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/nrf52840-zephyr.btmon.txt',
});
