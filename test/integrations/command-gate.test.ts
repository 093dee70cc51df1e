/**
 * The adapters' command gate (src/integrations/shared/command-gate.ts): one
 * command in flight, answers of our own commands consumed, and a controller
 * that sends Command Status (Success) where the spec has Command Complete.
 */
import { describe, expect, it } from 'vitest';
import { CommandGate } from '../../src/integrations/shared/command-gate.js';

const RESET = Uint8Array.of(0x03, 0x0c, 0x00);
const READ_BD_ADDR = Uint8Array.of(0x09, 0x10, 0x00);
const status = (opcode: number, code = 0) =>
  Uint8Array.of(0x0f, 0x04, code, 0x01, opcode & 0xff, opcode >> 8);
const complete = (opcode: number, ...rp: number[]) =>
  Uint8Array.of(0x0e, 3 + rp.length, 0x01, opcode & 0xff, opcode >> 8, ...rp);

describe('CommandGate', () => {
  it('sends one command at a time; our answer is consumed, the application’s is not', () => {
    const sent: Uint8Array[] = [];
    const gate = new CommandGate((data) => sent.push(data));
    const answers: string[] = [];
    gate.submit(RESET, (event) => answers.push(event.name));
    gate.submit(READ_BD_ADDR);
    expect(sent).toEqual([RESET]);
    expect(gate.onEvent(complete(0x0c03, 0x00))).toBe(true);
    expect(answers).toEqual(['command-complete']);
    expect(sent).toEqual([RESET, READ_BD_ADDR]);
    expect(gate.onEvent(complete(0x1009, 0x00, 1, 2, 3, 4, 5, 6))).toBe(false);
    gate.close();
  });

  it('a Command Status (Success) for a command due a Command Complete keeps it in flight until the Complete', () => {
    const sent: Uint8Array[] = [];
    const gate = new CommandGate((data) => sent.push(data));
    const answers: string[] = [];
    gate.submit(READ_BD_ADDR, (event) => answers.push(event.name));
    gate.submit(RESET);
    // Ours: the status is consumed and answers nothing; Reset waits.
    expect(gate.onEvent(status(0x1009))).toBe(true);
    expect(answers).toEqual([]);
    expect(sent).toEqual([READ_BD_ADDR]);
    expect(gate.onEvent(complete(0x1009, 0x00, 1, 2, 3, 4, 5, 6))).toBe(true);
    expect(answers).toEqual(['command-complete']);
    expect(sent).toEqual([READ_BD_ADDR, RESET]);
    // The application's: the status passes through, and the command stays in flight until its Complete.
    gate.submit(READ_BD_ADDR);
    expect(gate.onEvent(complete(0x0c03, 0x00))).toBe(false);
    expect(sent).toHaveLength(3);
    gate.submit(RESET);
    expect(gate.onEvent(status(0x1009))).toBe(false);
    expect(sent).toHaveLength(3);
    expect(gate.onEvent(complete(0x1009, 0x00, 1, 2, 3, 4, 5, 6))).toBe(false);
    expect(sent).toHaveLength(4);
    gate.close();
  });

  it('an error status, or a status for a command answered by Command Status, ends the command', () => {
    const sent: Uint8Array[] = [];
    const gate = new CommandGate((data) => sent.push(data));
    const answers: number[] = [];
    gate.submit(READ_BD_ADDR, (event) => answers.push(event.name === 'command-status' ? event.status : -1));
    expect(gate.onEvent(status(0x1009, 0x0c))).toBe(true);
    const createConnection = Uint8Array.of(0x0d, 0x20, 0x00);
    gate.submit(createConnection, (event) =>
      answers.push(event.name === 'command-status' ? event.status : -1),
    );
    expect(gate.onEvent(status(0x200d))).toBe(true);
    expect(answers).toEqual([0x0c, 0x00]);
    gate.close();
  });
});
