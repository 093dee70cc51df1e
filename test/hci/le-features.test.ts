import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasLeFeature, LE_FEATURES, leFeatureNames, leFeaturesFromNames } from '../../src/hci/le-features.js';

// btmon 5.66's name for each bit, one answer per bit (bit N alone in answer N).
const btmonNames = (): string[] => {
  const text = readFileSync(
    new URL('../fixtures/controllers/btmon-5.66-le-feature-bits.txt', import.meta.url),
    'utf8',
  );
  const lines = text.split('\n').map((l) => l.trim());
  const names: string[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('Features: 0x')) names.push(lines[i + 1]!);
  });
  return names;
};

describe('LE_FEATURES (Core v5.4 Vol 6 Part B 4.6)', () => {
  it("names bits 0 to 39 as btmon 5.66 does (bit 34 by the spec's name)", () => {
    const names = btmonNames();
    expect(names).toHaveLength(64);
    expect(LE_FEATURES).toHaveLength(40);
    LE_FEATURES.forEach((row, i) => {
      expect(row.bit).toBe(i);
      if (i !== 34) expect(row.name).toBe(names[i]);
    });
    expect(names[34]).toBe('LE Power Control Request');
    expect(LE_FEATURES[34]!.name).toBe('LE Power Change Indication');
    expect(names[40]).toMatch(/^Unknown features/);
  });

  it('round-trips any set of names', () => {
    fc.assert(
      fc.property(fc.subarray(LE_FEATURES.map((r) => r.name)), (names) => {
        expect(leFeatureNames(leFeaturesFromNames(names))).toEqual(names);
      }),
    );
  });

  it('decodes the octets little-endian, bit 0 of octet 0 first', () => {
    expect(leFeatureNames(Uint8Array.of(0x2f, 0, 0, 0, 0, 0, 0, 0))).toEqual([
      'LE Encryption',
      'Connection Parameter Request Procedure',
      'Extended Reject Indication',
      'Peripheral-initiated Features Exchange',
      'LE Data Packet Length Extension',
    ]);
    expect(leFeatureNames(Uint8Array.of(0, 0x11, 0, 0, 0, 0, 0, 0))).toEqual([
      'LE 2M PHY',
      'LE Extended Advertising',
    ]);
    expect(hasLeFeature(Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0), 'LL Privacy')).toBe(true);
    expect(hasLeFeature(Uint8Array.of(0x20, 0, 0, 0, 0, 0, 0, 0), 'LL Privacy')).toBe(false);
  });

  it("accepts btmon's older spelling and refuses unknown names and wrong sizes", () => {
    expect(leFeaturesFromNames(['Slave-initiated Features Exchange'])[0]).toBe(0x08);
    expect(() => leFeaturesFromNames(['Warp Drive'])).toThrow(/Warp Drive/);
    expect(() => leFeatureNames(new Uint8Array(7))).toThrow(/8 octets/);
  });
});
