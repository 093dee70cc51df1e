/**
 * Checks on values that must come from a cryptographic RNG (Core Vol 3 Part H
 * 2.3.5, 3.6.1; smp-rules.md 6): all-zero, one octet repeated, a short
 * repeated pattern, sequential octets.
 * @module
 */

/** Why `value` does not look random, or undefined when it does. */
export function patternOf(value: Uint8Array): string | undefined {
  if (value.every((b) => b === 0)) return 'all zero';
  if (value.every((b) => b === value[0])) return `one octet (0x${hex2(value[0]!)}) repeated`;
  for (const period of [2, 4]) {
    if (value.length > period && value.every((b, i) => i < period || b === value[i - period])) {
      return `a ${period}-octet pattern repeated`;
    }
  }
  const step = (value[1]! - value[0]! + 256) & 0xff;
  if (value.length > 2 && value.every((b, i) => i === 0 || ((b - value[i - 1]! + 256) & 0xff) === step)) {
    const signed = step > 127 ? `-0x${hex2(256 - step)}` : `+0x${hex2(step)}`;
    return `sequential octets (each ${signed} from the last, in wire order)`;
  }
  return undefined;
}

/** Two octet strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Lowercase hex of octets as given (wire order). */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += hex2(b);
  return out;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
