/**
 * Events: the event maps are closed (a misspelt event name does not compile
 * under the project's strict settings, proved by compiling a file with the
 * TypeScript compiler), and a peripheral hears `paired` with the PairingResult
 * of a pairing the central started.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/host.js';
import type { PairingResult } from '../../src/smp/session-types.js';
import { connectHosts, virtualHosts } from './virtual-hosts.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * Lines of a file that uses the event APIs, each with whether it must compile.
 * The file is compiled in memory, beside this test, with tsconfig.json's options.
 */
const CASES: readonly { code: string; compiles: boolean }[] = [
  { code: "host.on('connection', (c) => c.handle);", compiles: true },
  { code: "host.on('paired', (c, result, bond) => [c.handle, result.model, bond?.peer]);", compiles: true },
  { code: "connection.on('encrypted', (bonded, bond) => [bonded, bond]);", compiles: true },
  { code: "connection.on('paired', (result) => result.peerKeys);", compiles: true },
  { code: "connection.once('pairing-failed', (error) => error.reason);", compiles: true },
  { code: "secure.on('paired', (handle, peer, result) => [handle, peer, result.model]);", compiles: true },
  { code: "scanner.on('advertiser', (advertiser) => advertiser);", compiles: true },
  { code: "host.on('conection', () => {});", compiles: false },
  { code: "host.once('pairedd', () => {});", compiles: false },
  { code: "host.off('advertisment', () => {});", compiles: false },
  { code: "host.emit('disconect', connection, 0x13);", compiles: false },
  { code: "connection.on('enrcypted', () => {});", compiles: false },
  { code: "connection.once('bonding', () => {});", compiles: false },
  { code: "secure.on('pairedd', () => {});", compiles: false },
  { code: "scanner.on('advertisers', () => {});", compiles: false },
  // The right name with the wrong listener does not compile either.
  { code: "connection.on('disconnect', (reason: string) => reason);", compiles: false },
];

const HEADER = [
  "import type { Connection, Host, Scanner } from '../../src/index.js';",
  "import type { SecureHci } from '../../src/integrations/noble/index.js';",
  'declare const host: Host;',
  'declare const connection: Connection;',
  'declare const secure: SecureHci;',
  'declare const scanner: Scanner;',
];

/** Compiles the cases in one file; returns the 0-based case indexes with an error, and the messages. */
function compileCases(): { failing: Set<number>; messages: string[] } {
  const configPath = resolve(root, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const file = resolve(root, 'test/host/event-names.virtual.ts');
  const text = [...HEADER, ...CASES.map((c) => c.code)].join('\n');
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    resolve(name) === file
      ? ts.createSourceFile(name, text, language, true)
      : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram({ rootNames: [file], options: { ...config.options, noEmit: true }, host });
  const source = program.getSourceFile(file)!;
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  const failing = new Set<number>();
  const messages: string[] = [];
  for (const d of diagnostics) {
    const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line;
    failing.add(line - HEADER.length);
    messages.push(`${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return { failing, messages };
}

describe('event maps', () => {
  it('are closed: a misspelt event name or a wrong listener does not compile under strict', () => {
    const { failing, messages } = compileCases();
    // No error in the header: the imports resolve and the declarations are right.
    expect(
      [...failing].filter((i) => i < 0),
      messages.join('\n'),
    ).toEqual([]);
    const outcome = CASES.map((c, i) => ({ code: c.code, compiles: !failing.has(i) }));
    expect(outcome).toEqual(CASES);
  });
});

describe("the peripheral's paired event", () => {
  const open: Host[] = [];
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((h) => h.close()));
  });

  it('gives the PairingResult of a pairing the central started, on the connection and on the host', async () => {
    const { c, p } = await virtualHosts();
    open.push(c, p);
    const links = await connectHosts(c, p);
    const onConnection = new Promise<PairingResult>((done) =>
      links.p.once('paired', (result) => done(result)),
    );
    const onHost = new Promise<PairingResult>((done) =>
      p.once('paired', (connection, result) => {
        expect(connection).toBe(links.p);
        done(result);
      }),
    );
    const centralResult = await links.c.pair();
    const [peripheralResult, hostResult] = await Promise.all([onConnection, onHost]);
    expect(hostResult).toBe(peripheralResult);
    expect(peripheralResult.model).toBe(centralResult.model);
    expect(peripheralResult.secureConnections).toBe(centralResult.secureConnections);
    expect(peripheralResult.encryptionKey).toEqual(centralResult.encryptionKey);
    // What one side distributed, the other received.
    expect(peripheralResult.peerKeys).toEqual(centralResult.localKeys);
    expect(peripheralResult.localKeys).toEqual(centralResult.peerKeys);
  });
});
