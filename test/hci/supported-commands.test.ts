import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitmapToCommands,
  commandsBitmapFromHex,
  commandsToBitmap,
  hasCommand,
  SUPPORTED_COMMANDS,
  SUPPORTED_COMMANDS_OCTETS,
  supportedCommandBit,
} from '../../src/hci/supported-commands.js';
import { parseStartup } from '../transport/profiles/startup-parser.js';

const btmonAll = parseStartup(
  readFileSync(new URL('../fixtures/controllers/btmon-5.66-all-commands.txt', import.meta.url), 'utf8'),
);

describe('SUPPORTED_COMMANDS (Core v5.4 Vol 4 Part E 6.27)', () => {
  it('has one row per (octet, bit) and per name, inside the 64-octet bitmap', () => {
    const positions = new Set(SUPPORTED_COMMANDS.map((r) => r.octet * 8 + r.bit));
    const names = new Set(SUPPORTED_COMMANDS.map((r) => r.name));
    expect(positions.size).toBe(SUPPORTED_COMMANDS.length);
    expect(names.size).toBe(SUPPORTED_COMMANDS.length);
    for (const r of SUPPORTED_COMMANDS) {
      expect(r.octet).toBeGreaterThanOrEqual(0);
      expect(r.octet).toBeLessThan(SUPPORTED_COMMANDS_OCTETS);
      expect(r.bit).toBeGreaterThanOrEqual(0);
      expect(r.bit).toBeLessThan(8);
    }
  });

  it("matches btmon 5.66's decoding of an all-ones bitmap, row for row (octet 44 bit 0 renamed per the spec)", () => {
    const fromBtmon = btmonAll.commands!.filter((c) => c.name !== '');
    expect(fromBtmon).toHaveLength(SUPPORTED_COMMANDS.length);
    fromBtmon.forEach((row, i) => {
      const ours = SUPPORTED_COMMANDS[i]!;
      expect([ours.octet, ours.bit]).toEqual([row.octet, row.bit]);
      if (!(row.octet === 44 && row.bit === 0)) expect(ours.name).toBe(row.name);
    });
    expect(supportedCommandBit('LE ISO Test End')).toMatchObject({ octet: 44, bit: 0 });
  });

  it('places the commands a host start-up needs where the spec does', () => {
    const at = (name: string) => {
      const r = supportedCommandBit(name);
      return r && [r.octet, r.bit];
    };
    expect(at('Disconnect')).toEqual([0, 5]);
    expect(at('Set Event Mask')).toEqual([5, 6]);
    expect(at('Reset')).toEqual([5, 7]);
    expect(at('Read Local Version Information')).toEqual([14, 3]);
    expect(at('Read Buffer Size')).toEqual([14, 7]);
    expect(at('LE Read Buffer Size')).toEqual([25, 1]);
    expect(at('LE Read Accept List Size')).toEqual([26, 6]);
    expect(at('LE Set Data Length')).toEqual([33, 6]);
    expect(at('LE Add Device To Resolving List')).toEqual([34, 3]);
    expect(at('LE Read Resolving List Size')).toEqual([34, 6]);
    expect(at('LE Set Extended Advertising Enable')).toEqual([36, 5]);
    expect(supportedCommandBit('No Such Command')).toBeUndefined();
  });
});

describe('commandsBitmapFromHex', () => {
  it('reads the octets as captures print them, spaced or not, the rest zero', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (octets, spaced) => {
        const text = [...octets].map((o) => o.toString(16).padStart(2, '0')).join(spaced ? ' ' : '');
        const bitmap = commandsBitmapFromHex(spaced ? text.toUpperCase() : text);
        expect(bitmap).toHaveLength(64);
        expect([...bitmap]).toEqual([...octets, ...new Array(64 - octets.length).fill(0)]);
      }),
    );
    expect(bitmapToCommands(commandsBitmapFromHex('00 00 00 00 00 C0'))).toEqual(['Set Event Mask', 'Reset']);
  });

  it('refuses half octets, other characters and more than 64 octets', () => {
    for (const bad of ['0', 'fff', 'zz', '0x00', '00'.repeat(65)]) {
      expect(() => commandsBitmapFromHex(bad), bad).toThrow(RangeError);
    }
  });
});

describe('commandsToBitmap / bitmapToCommands', () => {
  it('round-trips any set of names (names -> bitmap -> names, in table order)', () => {
    fc.assert(
      fc.property(fc.subarray(SUPPORTED_COMMANDS.map((r) => r.name)), (names) => {
        const bitmap = commandsToBitmap(names);
        expect(bitmap).toHaveLength(64);
        expect(bitmapToCommands(bitmap)).toEqual(names);
        for (const name of names) expect(hasCommand(bitmap, name)).toBe(true);
      }),
    );
  });

  it('sets exactly the named bit', () => {
    const bitmap = commandsToBitmap(['Reset']);
    expect(bitmap[5]).toBe(0x80);
    expect(bitmap.reduce((a, b) => a + b, 0)).toBe(0x80);
    expect(hasCommand(bitmap, 'Set Event Mask')).toBe(false);
  });

  it("accepts btmon's older White List spellings for the Accept List bits", () => {
    expect(commandsToBitmap(['LE Read White List Size'])).toEqual(
      commandsToBitmap(['LE Read Accept List Size']),
    );
    expect(supportedCommandBit('LE Add Device To White List')).toMatchObject({ octet: 27, bit: 0 });
    expect(bitmapToCommands(commandsToBitmap(['LE Clear White List']))).toEqual(['LE Clear Accept List']);
  });

  it('refuses unknown names and bitmaps that are not 64 octets', () => {
    expect(() => commandsToBitmap(['Reset', 'Frobnicate'])).toThrow(/Frobnicate/);
    expect(() => hasCommand(new Uint8Array(64), 'Frobnicate')).toThrow(RangeError);
    expect(() => bitmapToCommands(new Uint8Array(63))).toThrow(/64 octets/);
  });

  it('leaves set bits the table does not name out of the list', () => {
    const bitmap = new Uint8Array(64);
    bitmap[63] = 0xff;
    expect(bitmapToCommands(bitmap)).toEqual([]);
  });
});
