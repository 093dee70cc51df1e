/**
 * The parameter ranges a virtual controller checks before it accepts an
 * advertising, scanning or connection command (Core Vol 4 Part E 7.8.5,
 * 7.8.10, 7.8.12): out of range answers Invalid HCI Command Parameters (0x12).
 * @module
 */
import type {
  AdvertisingParameters,
  CreateConnectionParameters,
  ScanParameters,
} from '../../hci/commands.js';

/**
 * 7.8.5: ranges of HCI_LE_Set_Advertising_Parameters.
 * @example
 * ```ts
 * validAdvertisingParameters({ ...parameters, advertisingChannelMap: 0 }); // false
 * ```
 */
export function validAdvertisingParameters(p: AdvertisingParameters): boolean {
  if (p.advertisingType > 0x04 || p.ownAddressType > 0x03 || p.peerAddressType > 0x01) return false;
  if (p.advertisingChannelMap === 0 || p.advertisingChannelMap > 0x07 || p.advertisingFilterPolicy > 0x03) {
    return false;
  }
  // High duty cycle directed advertising ignores the intervals.
  if (p.advertisingType === 0x01) return true;
  const inRange = (n: number): boolean => n >= 0x0020 && n <= 0x4000;
  return (
    inRange(p.advertisingIntervalMin) &&
    inRange(p.advertisingIntervalMax) &&
    p.advertisingIntervalMin <= p.advertisingIntervalMax
  );
}

/**
 * 7.8.10: ranges of HCI_LE_Set_Scan_Parameters.
 * @example
 * ```ts
 * validScanParameters({ ...parameters, scanWindow: parameters.scanInterval + 1 }); // false
 * ```
 */
export function validScanParameters(p: ScanParameters): boolean {
  const inRange = (n: number): boolean => n >= 0x0004 && n <= 0x4000;
  return (
    p.scanType <= 0x01 &&
    inRange(p.scanInterval) &&
    inRange(p.scanWindow) &&
    p.scanWindow <= p.scanInterval &&
    p.ownAddressType <= 0x03 &&
    p.scanningFilterPolicy <= 0x03
  );
}

/**
 * 7.8.12: ranges of HCI_LE_Create_Connection, and the supervision timeout rule.
 * @example
 * ```ts
 * validConnectionParameters({ ...parameters, supervisionTimeout: 0x0009 }); // false
 * ```
 */
export function validConnectionParameters(p: CreateConnectionParameters): boolean {
  const scan = (n: number): boolean => n >= 0x0004 && n <= 0x4000;
  const interval = (n: number): boolean => n >= 0x0006 && n <= 0x0c80;
  return (
    scan(p.scanInterval) &&
    scan(p.scanWindow) &&
    p.scanWindow <= p.scanInterval &&
    p.initiatorFilterPolicy <= 0x01 &&
    p.peerAddressType <= 0x03 &&
    p.ownAddressType <= 0x03 &&
    interval(p.connectionIntervalMin) &&
    interval(p.connectionIntervalMax) &&
    p.connectionIntervalMin <= p.connectionIntervalMax &&
    p.maxLatency <= 0x01f3 &&
    p.supervisionTimeout >= 0x000a &&
    p.supervisionTimeout <= 0x0c80 &&
    // Supervision_Timeout (10 ms units) > (1 + latency) * interval max (1.25 ms units) * 2.
    p.supervisionTimeout * 4 > (1 + p.maxLatency) * p.connectionIntervalMax &&
    p.minCeLength <= p.maxCeLength
  );
}
