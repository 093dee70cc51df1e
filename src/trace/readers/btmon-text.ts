/**
 * A streaming reader of BlueZ `btmon` text output, as printed on a terminal
 * or pasted into mail: `> ` quote prefixes (at any depth) are removed and
 * lines a mail client folded are joined again. Each packet block (header line
 * plus indented fields) is rebuilt into the HCI packet it describes, so text
 * captures go through the same decoder as binary ones; `at` is the line
 * number of the block's header in the original text.
 * @module
 */
import { TraceReadError } from '../errors.js';
import type { TraceRecord } from '../model.js';
import {
  buildFields,
  COMMAND_FIELDS,
  EVENT_FIELDS,
  LE_SUBEVENT_FIELDS,
  type PrintedLine,
  RETURN_FIELDS,
  SMP_FIELDS,
} from './btmon-fields.js';

/** A btmon packet header: direction marker, then what it is. */
const HEADER = /^([<>@=]) (\S.*)$/;
const COMMAND = /^HCI Command: .*?\(0x([0-9a-fA-F]{2})\|0x([0-9a-fA-F]{4})\) plen (\d+)/;
const EVENT = /^HCI Event: .*?\(0x([0-9a-fA-F]{2})\) plen (\d+)/;
const ACL = /^ACL Data (TX|RX): Handle (\d+) flags 0x([0-9a-fA-F]{2}) dlen (\d+)/;
const TIME = /\s(\d+\.\d+)\s*$/;
const OPCODE_LINE = /\(0x([0-9a-fA-F]{2})\|0x([0-9a-fA-F]{4})\)(?: ncmd (\d+))?/;
/** Lines read before deciding whether the text is quoted. */
const SNIFF_LINES = 40;

interface Line {
  readonly text: string;
  readonly number: number;
}

/** Removes one level of mail quoting (`>` and one optional space) from every line, if every non-blank line has it. */
function unquote(lines: Line[]): Line[] | undefined {
  const nonBlank = lines.filter((l) => l.text.trim() !== '');
  if (nonBlank.length === 0 || !nonBlank.every((l) => l.text.startsWith('>'))) return undefined;
  const stripped = lines.map((l) => ({ number: l.number, text: l.text.replace(/^> ?/, '') }));
  // Unquoted btmon events also start with '>': only strip if headers remain after stripping.
  return stripped.some((l) => HEADER.test(l.text)) ? stripped : undefined;
}

/** Reads btmon text from chunks (UTF-8), in order. */
export class BtmonTextReader {
  readonly format = 'btmon-text' as const;
  readonly unit = 'line' as const;
  readonly #decoder = new TextDecoder();
  #partial = '';
  #lineNumber = 0;
  /** Quote levels to strip, once decided; lines wait in `#sniffed` until then. */
  #quoteDepth: number | undefined;
  #sniffed: Line[] = [];
  /** The logical line being built (folded continuations joined). */
  #current: Line | undefined;
  /** The block being built: header and its field lines. */
  #block: { header: Line; fields: Line[] } | undefined;
  #sawHeader = false;

  /** Adds text; returns the packets of every block it completes. */
  push(chunk: Uint8Array): TraceRecord[] {
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    const parts = text.split(/\r?\n/);
    this.#partial = parts.pop()!;
    const out: TraceRecord[] = [];
    for (const part of parts) this.#physical(part, out);
    return out;
  }

  /** At the end of the text; throws `unknown-format` when no btmon packet header was seen. */
  end(): TraceRecord[] {
    const out: TraceRecord[] = [];
    const rest = this.#partial + this.#decoder.decode();
    if (rest !== '') this.#physical(rest, out);
    this.#partial = '';
    this.#decide(out);
    this.#logical(undefined, out);
    this.#flush(out);
    if (!this.#sawHeader) {
      throw new TraceReadError(
        'unknown-format',
        'no btmon packet header (< HCI Command, > HCI Event, ...) in the text',
        1,
      );
    }
    return out;
  }

  #physical(text: string, out: TraceRecord[]): void {
    this.#lineNumber += 1;
    const line = { text: text.replace(/\s+$/, ''), number: this.#lineNumber };
    if (this.#quoteDepth === undefined) {
      this.#sniffed.push(line);
      if (this.#sniffed.filter((l) => l.text !== '').length >= SNIFF_LINES) this.#decide(out);
      return;
    }
    this.#logical(this.#strip(line), out);
  }

  /** Decides the quote depth from the lines seen so far, then processes them. */
  #decide(out: TraceRecord[]): void {
    if (this.#quoteDepth !== undefined) return;
    let depth = 0;
    let lines = this.#sniffed;
    for (let next = unquote(lines); next && depth < 8; next = unquote(lines)) {
      depth += 1;
      lines = next;
    }
    this.#quoteDepth = depth;
    const sniffed = this.#sniffed;
    this.#sniffed = [];
    for (const line of sniffed) this.#logical(this.#strip(line), out);
  }

  #strip(line: Line): Line {
    let text = line.text;
    for (let i = 0; i < this.#quoteDepth!; i++) text = text.replace(/^> ?/, '');
    return { text, number: line.number };
  }

  /** Joins folded lines: a line at column 0 that is no packet header continues the previous one. */
  #logical(line: Line | undefined, out: TraceRecord[]): void {
    if (line && line.text !== '' && !/^\s/.test(line.text) && !HEADER.test(line.text) && this.#current) {
      this.#current = { text: `${this.#current.text} ${line.text}`, number: this.#current.number };
      return;
    }
    if (this.#current) this.#block_line(this.#current, out);
    this.#current = line && line.text !== '' ? line : undefined;
  }

  #block_line(line: Line, out: TraceRecord[]): void {
    if (HEADER.test(line.text)) {
      this.#flush(out);
      this.#sawHeader = true;
      this.#block = { header: line, fields: [] };
    } else if (this.#block && /^\s/.test(line.text)) {
      this.#block.fields.push(line);
    }
  }

  #flush(out: TraceRecord[]): void {
    const block = this.#block;
    this.#block = undefined;
    if (!block) return;
    const record = blockRecord(block.header, block.fields);
    if (record) out.push(record);
  }
}

function printed(fields: readonly Line[]): PrintedLine[] {
  return fields.map((f) => {
    const text = f.text.trim();
    const colon = text.indexOf(': ');
    return colon < 0
      ? { label: text, value: '', line: f.number }
      : { label: text.slice(0, colon), value: text.slice(colon + 2), line: f.number };
  });
}

/** The HCI packet a btmon block describes; undefined when it is not one the auditor needs or is incomplete. */
function blockRecord(header: Line, fieldLines: readonly Line[]): TraceRecord | undefined {
  const [, marker, rest] = HEADER.exec(header.text)!;
  const time = TIME.exec(header.text);
  const base = { kind: 'hci' as const, at: header.number, ...(time ? { time: Number(time[1]) } : {}) };
  const fields = printed(fieldLines);
  const command = COMMAND.exec(rest!);
  if (command && marker === '<') {
    const opcode = (Number.parseInt(command[1]!, 16) << 10) | Number.parseInt(command[2]!, 16);
    const layout = COMMAND_FIELDS[opcode];
    const parameters = layout
      ? buildFields(layout, fields)
      : Number(command[3]) === 0
        ? new Uint8Array(0)
        : undefined;
    if (!parameters) return undefined;
    return {
      ...base,
      direction: 'tx',
      packet: { type: 'command', data: withHeader([opcode & 0xff, opcode >> 8], 1, parameters) },
    };
  }
  const event = EVENT.exec(rest!);
  if (event && marker === '>') {
    const parameters = eventParameters(Number.parseInt(event[1]!, 16), fields);
    if (!parameters) return undefined;
    return {
      ...base,
      direction: 'rx',
      packet: { type: 'event', data: withHeader([Number.parseInt(event[1]!, 16)], 1, parameters) },
    };
  }
  const acl = ACL.exec(rest!);
  if (acl) {
    const smpLine = fields.findIndex((f) => f.label === 'SMP');
    if (smpLine < 0) return undefined;
    const code = /\(0x([0-9a-fA-F]{2})\)/.exec(fields[smpLine]!.value);
    if (!code) return undefined;
    const opcode = Number.parseInt(code[1]!, 16);
    const layout = SMP_FIELDS[opcode];
    const body = layout ? buildFields(layout, fields.slice(smpLine + 1)) : undefined;
    if (!body) return undefined;
    const pdu = withHeader([opcode], 0, body);
    const l2cap = withHeader([pdu.length & 0xff, pdu.length >> 8, 0x06, 0x00], 0, pdu);
    const handle = Number(acl[2]) & 0x0fff;
    const direction = acl[1] === 'TX' ? 'tx' : 'rx';
    // A whole L2CAP frame in one start fragment (btmon prints the PDU once reassembled).
    const flags = direction === 'tx' ? 0x0 : 0x2;
    const aclHeader = [handle & 0xff, (handle >> 8) | (flags << 4), l2cap.length & 0xff, l2cap.length >> 8];
    return { ...base, direction, packet: { type: 'acl', data: withHeader(aclHeader, 0, l2cap) } };
  }
  return undefined;
}

function eventParameters(code: number, fields: PrintedLine[]): Uint8Array | undefined {
  const layout = EVENT_FIELDS[code];
  if (layout) return buildFields(layout, fields);
  if (code === 0x3e) {
    const sub = /^LE .*\(0x([0-9a-fA-F]{2})\)$/.exec(fields[0]?.label ?? '');
    if (!sub) return undefined;
    const subevent = Number.parseInt(sub[1]!, 16);
    const subLayout = LE_SUBEVENT_FIELDS[subevent];
    const body = subLayout ? buildFields(subLayout, fields.slice(1)) : undefined;
    return body ? withHeader([subevent], 0, body) : undefined;
  }
  if (code === 0x0e || code === 0x0f) {
    const first = fields[0];
    const match = first ? OPCODE_LINE.exec(`${first.label} ${first.value}`) : null;
    if (!match) return undefined;
    const opcode = (Number.parseInt(match[1]!, 16) << 10) | Number.parseInt(match[2]!, 16);
    const ncmd = Number(match[3] ?? 1) & 0xff;
    const rest = fields.slice(1);
    if (code === 0x0f) {
      const status = buildFields([['Status', 'paren', 1]], rest);
      return status ? Uint8Array.of(status[0]!, ncmd, opcode & 0xff, opcode >> 8) : undefined;
    }
    const returned = buildFields(RETURN_FIELDS[opcode] ?? [['Status', 'paren', 1]], rest);
    return returned ? withHeader([ncmd, opcode & 0xff, opcode >> 8], 0, returned) : undefined;
  }
  return undefined;
}

/**
 * `head`, then (when `lengthOctets` is 1) one length octet, then `body`: the
 * layout of HCI commands and events; with 0, just the concatenation.
 */
function withHeader(head: readonly number[], lengthOctets: 0 | 1, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + lengthOctets + body.length);
  out.set(head);
  if (lengthOctets) out[head.length] = body.length & 0xff;
  out.set(body, head.length + lengthOctets);
  return out;
}
