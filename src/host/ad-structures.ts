/**
 * Reading advertising and scan response data: the AD structures (Core Vol 3
 * Part C 11: length, AD type, data) and the local name among them (Core
 * Supplement Part A 1.2).
 * @module
 */

/** One AD structure: its type (Assigned Numbers 2.3) and its data. */
export interface AdStructure {
  readonly type: number;
  readonly data: Uint8Array;
}

/** AD types of the local name (Assigned Numbers 2.3). */
const AD_SHORTENED_LOCAL_NAME = 0x08;
const AD_COMPLETE_LOCAL_NAME = 0x09;

/**
 * The AD structures of advertising or scan response data, in order. A length
 * octet of 0 ends the data early (Vol 3 Part C 11: the rest is padding); a
 * structure running past the end is dropped, since data from the air may be cut.
 * @example
 * ```ts
 * adStructures(Uint8Array.of(0x02, 0x01, 0x06, 0x03, 0x09, 0x68, 0x69));
 * // [{ type: 0x01, data: [0x06] }, { type: 0x09, data: [0x68, 0x69] }]
 * ```
 */
export function adStructures(data: Uint8Array): AdStructure[] {
  const structures: AdStructure[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data[at] ?? 0;
    if (length === 0 || at + 1 + length > data.length) break;
    structures.push({ type: data[at + 1] ?? 0, data: data.slice(at + 2, at + 1 + length) });
    at += 1 + length;
  }
  return structures;
}

/** A local name as advertised: the text, and whether it is the complete name or a shortened one. */
export interface LocalName {
  readonly name: string;
  readonly complete: boolean;
}

/**
 * The local name in advertising or scan response data: the Complete Local
 * Name (0x09) when present, else the Shortened Local Name (0x08); UTF-8, with
 * malformed sequences replaced (U+FFFD) rather than refused.
 * @example
 * ```ts
 * localName(advertisingData('speaker')); // { name: 'speaker', complete: true }
 * ```
 */
export function localName(data: Uint8Array): LocalName | undefined {
  const structures = adStructures(data);
  const found =
    structures.find((s) => s.type === AD_COMPLETE_LOCAL_NAME) ??
    structures.find((s) => s.type === AD_SHORTENED_LOCAL_NAME);
  if (!found) return undefined;
  return { name: new TextDecoder().decode(found.data), complete: found.type === AD_COMPLETE_LOCAL_NAME };
}
