import { expect } from 'vitest';
import { BondStoreError } from '../../../src/host/bond-store-error.js';

/** Runs `action`, which must throw a BondStoreError, and returns that error. */
export function catchBondStoreError(action: () => unknown): BondStoreError {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(BondStoreError);
    return err as BondStoreError;
  }
  throw new Error('expected a BondStoreError');
}

/** A run of hex long enough to be (part of) a key: no error message may hold one. */
export const KEY_LIKE_HEX = /[0-9a-fA-F]{12,}/;
