/**
 * Argument checks for the toolbox: each throws a {@link CryptoInputError}
 * naming the function, the argument and the sizes.
 * @module
 */
import { CryptoInputError } from './errors.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/** Asserts `value` is a Uint8Array of exactly `length` octets. */
export function octets(fn: string, argument: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoInputError(
      fn,
      argument,
      `must be a Uint8Array of ${length} octets, got ${describe(value)}`,
    );
  }
  if (value.length !== length) {
    throw new CryptoInputError(fn, argument, `must be ${length} octets, got ${value.length}`);
  }
  return value;
}

/** Asserts `value` is a Uint8Array of any length. */
export function anyOctets(fn: string, argument: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoInputError(fn, argument, `must be a Uint8Array, got ${describe(value)}`);
  }
  return value;
}

/** Asserts `value` is an integer in `[min, max]`. */
export function integer(fn: string, argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value === 'number' ? String(value) : describe(value);
    throw new CryptoInputError(fn, argument, `must be an integer from ${min} to ${max}, got ${got}`);
  }
  return value;
}
