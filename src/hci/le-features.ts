/**
 * The LE features bit table as data (Core v5.4 Vol 6 Part B 4.6, the
 * FeatureSet field that HCI_LE_Read_Local_Supported_Features returns, 8 octets
 * little-endian). Bit positions and names for bits 0 to 39 follow the spec
 * table; the names are the ones btmon prints (BlueZ 5.66), checked by
 * decoding one bit at a time, except bit 34, which the spec calls LE Power
 * Change Indication and BlueZ 5.66 prints as a second "LE Power Control
 * Request". Bits 40 and up are not named here.
 * @module
 */

/** One row of the LE features table (Core v5.4 Vol 6 Part B 4.6). */
export interface LeFeatureBit {
  /** Bit number in the 64-bit FeatureSet, 0 = octet 0 bit 0. */
  readonly bit: number;
  /** Feature name as btmon prints it. */
  readonly name: string;
}

/** Octets in the LE FeatureSet (Core v5.4 Vol 4 Part E 7.8.3). */
export const LE_FEATURES_OCTETS = 8;

/**
 * The LE features table, bits 0 to 39 (Core v5.4 Vol 6 Part B 4.6).
 * @example
 * ```ts
 * LE_FEATURES[5]; // { bit: 5, name: 'LE Data Packet Length Extension' }
 * ```
 */
export const LE_FEATURES: readonly LeFeatureBit[] = Object.freeze(
  [
    'LE Encryption',
    'Connection Parameter Request Procedure',
    'Extended Reject Indication',
    'Peripheral-initiated Features Exchange',
    'LE Ping',
    'LE Data Packet Length Extension',
    'LL Privacy',
    'Extended Scanner Filter Policies',
    'LE 2M PHY',
    'Stable Modulation Index - Transmitter',
    'Stable Modulation Index - Receiver',
    'LE Coded PHY',
    'LE Extended Advertising',
    'LE Periodic Advertising',
    'Channel Selection Algorithm #2',
    'LE Power Class 1',
    'Minimum Number of Used Channels Procedure',
    'Connection CTE Request',
    'Connection CTE Response',
    'Connectionless CTE Transmitter',
    'Connectionless CTE Receiver',
    'Antenna Switching During CTE Transmission (AoD)',
    'Antenna Switching During CTE Reception (AoA)',
    'Receiving Constant Tone Extensions',
    'Periodic Advertising Sync Transfer - Sender',
    'Periodic Advertising Sync Transfer - Recipient',
    'Sleep Clock Accuracy Updates',
    'Remote Public Key Validation',
    'Connected Isochronous Stream - Central',
    'Connected Isochronous Stream - Peripheral',
    'Isochronous Broadcaster',
    'Synchronized Receiver',
    'Isochronous Channels (Host Support)',
    'LE Power Control Request',
    'LE Power Change Indication',
    'LE Path Loss Monitoring',
    'Periodic Advertising ADI support',
    'Connection Subrating',
    'Connection Subrating (Host Support)',
    'Channel Classification',
  ].map((name, bit) => Object.freeze({ bit, name })),
);

/**
 * Older btmon spellings of the same bits (BlueZ before the 2021 inclusive-language rename).
 * @example
 * ```ts
 * LE_FEATURE_ALIASES['Slave-initiated Features Exchange']; // 'Peripheral-initiated Features Exchange'
 * ```
 */
export const LE_FEATURE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'Slave-initiated Features Exchange': 'Peripheral-initiated Features Exchange',
});

const byName: ReadonlyMap<string, LeFeatureBit> = new Map(LE_FEATURES.map((row) => [row.name, row]));

function rowOf(name: string): LeFeatureBit {
  const row = byName.get(LE_FEATURE_ALIASES[name] ?? name);
  if (row === undefined) throw new RangeError(`unknown LE feature name: ${JSON.stringify(name)}`);
  return row;
}

/**
 * The feature names whose bits are set, in bit order; unnamed bits are left out.
 * @throws RangeError when the set is not 8 octets.
 * @example
 * ```ts
 * leFeatureNames(Uint8Array.of(0x21, 0, 0, 0, 0, 0, 0, 0)); // ['LE Encryption', 'LE Data Packet Length Extension']
 * ```
 */
export function leFeatureNames(features: Uint8Array): string[] {
  if (features.length !== LE_FEATURES_OCTETS) {
    throw new RangeError(`LE features must be 8 octets, got ${features.length}`);
  }
  return LE_FEATURES.filter((row) => ((features[row.bit >> 3]! >> (row.bit & 7)) & 1) === 1).map(
    (r) => r.name,
  );
}

/**
 * Builds the 8-octet FeatureSet from names (btmon spelling or an alias).
 * @throws RangeError naming a name the table lacks.
 * @example
 * ```ts
 * leFeaturesFromNames(['LL Privacy'])[0]; // 0x40
 * ```
 */
export function leFeaturesFromNames(names: Iterable<string>): Uint8Array {
  const out = new Uint8Array(LE_FEATURES_OCTETS);
  for (const name of names) {
    const row = rowOf(name);
    out[row.bit >> 3]! |= 1 << (row.bit & 7);
  }
  return out;
}

/**
 * Whether the FeatureSet has a feature.
 * @throws RangeError for a name the table lacks.
 * @example
 * ```ts
 * hasLeFeature(Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0), 'LL Privacy'); // true
 * ```
 */
export function hasLeFeature(features: Uint8Array, name: string): boolean {
  const row = rowOf(name);
  return ((features[row.bit >> 3]! >> (row.bit & 7)) & 1) === 1;
}
