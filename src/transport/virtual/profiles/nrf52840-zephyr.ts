/**
 * Nordic nRF52840 running Zephyr's HCI firmware (samples/bluetooth/hci_usb or
 * hci_uart), LE only. Values come from the Zephyr controller's Kconfig defaults
 * and HCI source at the cited commit (an older Zephyr; current releases name
 * the buffer options BT_BUF_ACL_*), so a board built with other options
 * reports other values. Fixture: test/fixtures/controllers/nrf52840-zephyr.btmon.txt.
 * @module
 */
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const kconfig =
  'https://github.com/zephyrproject-rtos/zephyr/blob/001a474db4e2454ae05726c6ccf145c72edb33c4/subsys/bluetooth/controller/Kconfig';
const hciUartConf =
  'https://github.com/zephyrproject-rtos/zephyr/blob/00ef4425ff063e39150ea4e91a190cc7ae0e05f1/samples/bluetooth/hci_uart/prj.conf';
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
      { kind: 'source', url: kconfig, line: 'config BT_CTLR_SUBVERSION_NUMBER' },
      { ...hciC, line: '\trp->lmp_subversion = sys_cpu_to_le16(ll_settings_subversion_number());' },
    ]),
    manufacturer: known(
      0x05f1,
      [
        { kind: 'source', url: kconfig, line: 'config BT_CTLR_COMPANY_ID' },
        { ...hciC, line: '\trp->manufacturer = sys_cpu_to_le16(ll_settings_company_id());' },
      ],
      'The Linux Foundation, the Kconfig default; a vendor build may set its own',
    ),
  }),
  supportedCommands: unknown(
    'computed by hci.c from the build configuration; not captured from a running board',
  ),
  leFeatures: unknown(
    'computed from the build configuration; the Kconfig defaults at the cited commit enable LE Encryption, Connection Parameter Request, LE Ping, LL Privacy, Extended Scanner Filter Policies, Data Length Extension (max 27), 2M and Coded PHY, Channel Selection Algorithm #2, Minimum Used Channels and Advertising Extensions on nRF52840, but no capture confirms the reported bits',
  ),
  leBuffers: unknown(
    'size 27 is the Kconfig default of BT_CTLR_TX_BUFFER_SIZE, whose help says it is the value returned in LE Read Buffer Size; the count is BT_CTLR_TX_BUFFERS, whose Kconfig lists `default 2` before `default 7 if BT_HCI_RAW` (which one an HCI build gets depends on how the defaults are taken), and no capture shows it, so the pair stays unknown',
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
  leStates: unknown('not captured'),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/nrf52840-zephyr.btmon.txt',
});
