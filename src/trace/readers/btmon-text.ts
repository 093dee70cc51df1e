/**
 * A streaming reader of BlueZ `btmon` text output, as printed on a terminal
 * or pasted into mail: `> ` quote prefixes (at any depth) are removed and
 * lines a mail client folded are joined again. Each packet block (header line
 * plus indented fields) is rebuilt into the HCI packet it describes, so text
 * captures go through the same decoder as binary ones; `at` is the line
 * number of the block's header in the original text.
 *
 * Pasted text is edited text. A line at column 0 that is neither a packet
 * header nor the rest of a folded line is one of two things: an elision
 * marker (`...`, `[...]`, `<snip>`, `-- 8< --`), which ends the block before
 * it (what follows up to the next header belongs to a packet not shown), or
 * foreign text (a kernel log line, a remark), which is skipped. A line is
 * taken as folded only when the line before it was long enough for a mail
 * client to have folded it there. Field labels are read with or without the
 * size suffix newer btmon prints (`Long term key[16]: ...`, and since 2026 the
 * label alone with the octets as a hex dump on the lines below); a redacted
 * value (`XX:XX:XX:XX:XX:XX`, `xx`) keeps the packet, with that value listed in
 * the record's `unknown`. Remarks after ` //` are dropped.
 * @module
 */
import { TraceReadError } from '../errors.js';
import type { TraceRecord, UnknownValue } from '../model.js';
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
/**
 * A line is taken as the rest of the one before only if that one, with the
 * first word of this, would have run past this column: mail clients fold
 * at 72 to 78 columns, quote prefixes included.
 */
const FOLD_COLUMN = 70;
/** The rest of a header a mail client folded onto the next line: frame number, index, timestamp. */
const HEADER_TAIL = /^\s*(?:#\d+\s+)?(?:\{0x[0-9a-fA-F]+\}\s+)?(?:\[hci\d+\]\s+)?\d+\.\d+$/;
/** A remark a person added after the text btmon printed. */
const REMARK = /\s\/\/.*$/;

/**
 * Whether a column-0 line marks an elision: dots or an ellipsis first
 * (`...`, `[...]`, `(... 40 lines ...)`), scissors (`-- 8< --`), or a short
 * line saying so (`<snip>`, `--- cut ---`, `[skipped]`).
 */
function isElision(text: string): boolean {
  const t = text.trim();
  if (/^[\s[\](){}<>|*#~=_+-]*(?:\.{2,}|…)/.test(t)) return true;
  if (/^[\s=_*~-]*(?:8<|>8|✂)/.test(t)) return true;
  return (
    t.length <= 40 && /^[\s[\](){}<>|*#~=_+-]*(?:snip|cut|skip|omit|elid|truncat|trim|remov)[a-z]*\b/i.test(t)
  );
}

interface Line {
  readonly text: string;
  readonly number: number;
  /** Columns of the physical line as pasted (quote prefixes included), for the fold test. */
  readonly width: number;
}

/** Whether `line` at column 0 is the rest of a header folded before its timestamp. */
function headerFolded(previous: Line, line: Line): boolean {
  return HEADER.test(previous.text) && !TIME.test(previous.text) && HEADER_TAIL.test(line.text);
}

/** Whether `line` at column 0 is the rest of `previous`, folded by a mail client. */
function continues(previous: Line, line: Line): boolean {
  const firstWord = line.text.split(/\s/)[0]!.length;
  return previous.width + 1 + firstWord > FOLD_COLUMN;
}

/** Removes one level of mail quoting (`>` and one optional space) from every line, if every non-blank line has it. */
function unquote(lines: Line[]): Line[] | undefined {
  const nonBlank = lines.filter((l) => l.text.trim() !== '');
  if (nonBlank.length === 0 || !nonBlank.every((l) => l.text.startsWith('>'))) return undefined;
  const stripped = lines.map((l) => ({ ...l, text: l.text.replace(/^> ?/, '') }));
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
  /** The logical line being built (folded continuations joined); `width` is its last physical line's. */
  #current: Line | undefined;
  /** The block being built: header and its field lines. */
  #block: { header: Line; readonly fields: Line[] } | undefined;
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
    // The width as pasted, trailing blanks included: a client folds at a blank and may leave it.
    const line = { text: text.replace(/\s+$/, ''), number: this.#lineNumber, width: text.length };
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
    return { ...line, text };
  }

  /**
   * Builds logical lines. A line at column 0 that is no packet header
   * continues the previous one when that one was long enough to have been
   * folded there; an elision marker ends the block before it; any other
   * column-0 text is skipped, never glued onto a field.
   */
  #logical(line: Line | undefined, out: TraceRecord[]): void {
    const current = this.#current;
    if (line && line.text !== '' && !/^\s/.test(line.text) && !HEADER.test(line.text)) {
      if (isElision(line.text)) {
        this.#logical(undefined, out);
        this.#flush(out);
        return;
      }
      if (current && (continues(current, line) || headerFolded(current, line))) {
        this.#current = { text: `${current.text} ${line.text}`, number: current.number, width: line.width };
        return;
      }
      // Foreign text (a kernel log line, a remark): skipped.
      line = undefined;
    }
    if (current) this.#block_line(current, out);
    this.#current = line && line.text !== '' ? line : undefined;
  }

  #block_line(line: Line, out: TraceRecord[]): void {
    if (HEADER.test(line.text)) {
      this.#flush(out);
      this.#sawHeader = true;
      this.#block = { header: line, fields: [] };
    } else if (this.#block && /^\s/.test(line.text)) {
      const { header, fields } = this.#block;
      if (fields.length === 0 && HEADER_TAIL.test(line.text) && !TIME.test(header.text)) {
        // A header folded before its frame number and timestamp.
        this.#block.header = { ...header, text: `${header.text} ${line.text.trim()}` };
      } else fields.push(line);
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

/** One row of btmon's hex dump (`b2 2e f8 ... a3  ."..H..I`): the octets, masked ones (`xx`) kept as they are. */
const HEX_ROW = /^((?:[0-9a-fA-FxX*?]{2} ){0,15}[0-9a-fA-FxX*?]{2})(?:\s{2}.*)?$/;

/**
 * The `Label: value` lines of a block. A label loses the size suffix newer
 * btmon adds (`Long term key[16]`); a label with a size and no value
 * (`Long term key[16]:`, btmon of 2026 on) takes its octets from the hex
 * dump rows below it.
 */
function printed(fields: readonly Line[]): PrintedLine[] {
  const out: PrintedLine[] = [];
  for (let i = 0; i < fields.length; i++) {
    const text = fields[i]!.text.replace(REMARK, '').trim();
    const colon = text.indexOf(': ');
    let label = colon >= 0 ? text.slice(0, colon) : text.replace(/:$/, '');
    let value = colon >= 0 ? text.slice(colon + 2) : '';
    const sized = /^(.*\S)\[(\d+)\]$/.exec(label);
    if (sized) {
      label = sized[1]!;
      const size = Number(sized[2]);
      if (value === '' && text.endsWith(':')) {
        let octets = '';
        while (octets.length < size * 2 && i + 1 < fields.length) {
          const row = HEX_ROW.exec(fields[i + 1]!.text.trim());
          if (!row) break;
          octets += row[1]!.replace(/ /g, '');
          i += 1;
        }
        value = octets;
      }
    }
    out.push({ label, value, line: fields[i]!.number });
  }
  return out;
}

/** The HCI packet a btmon block describes; undefined when it is not one the auditor needs or is incomplete. */
function blockRecord(header: Line, fieldLines: readonly Line[]): TraceRecord | undefined {
  const headerText = header.text.replace(REMARK, '');
  const [, marker, rest] = HEADER.exec(headerText)!;
  const time = TIME.exec(headerText);
  const base = { kind: 'hci' as const, at: header.number, ...(time ? { time: Number(time[1]) } : {}) };
  const fields = printed(fieldLines);
  /** Values the text hides, as found (offsets in the fields built), then placed in the packet by `unknownAt`. */
  const hidden: UnknownValue[] = [];
  const unknownAt = (shift: number) =>
    hidden.length ? { unknown: hidden.map((u) => ({ ...u, offset: u.offset + shift })) } : {};
  const command = COMMAND.exec(rest!);
  if (command && marker === '<') {
    const opcode = (Number.parseInt(command[1]!, 16) << 10) | Number.parseInt(command[2]!, 16);
    const layout = COMMAND_FIELDS[opcode];
    const parameters = layout
      ? buildFields(layout, fields, hidden)
      : Number(command[3]) === 0
        ? new Uint8Array(0)
        : undefined;
    if (!parameters) return undefined;
    return {
      ...base,
      direction: 'tx',
      packet: { type: 'command', data: withHeader([opcode & 0xff, opcode >> 8], 1, parameters) },
      ...unknownAt(3),
    };
  }
  const event = EVENT.exec(rest!);
  if (event && marker === '>') {
    const code = Number.parseInt(event[1]!, 16);
    const parameters = eventParameters(code, fields, hidden);
    if (!parameters) return undefined;
    return {
      ...base,
      direction: 'rx',
      packet: { type: 'event', data: withHeader([code], 1, parameters.data) },
      ...unknownAt(2 + parameters.shift),
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
    const body = layout ? buildFields(layout, fields.slice(smpLine + 1), hidden) : undefined;
    if (!body) return undefined;
    const pdu = withHeader([opcode], 0, body);
    const l2cap = withHeader([pdu.length & 0xff, pdu.length >> 8, 0x06, 0x00], 0, pdu);
    const handle = Number(acl[2]) & 0x0fff;
    const direction = acl[1] === 'TX' ? 'tx' : 'rx';
    // A whole L2CAP frame in one start fragment (btmon prints the PDU once reassembled).
    const flags = direction === 'tx' ? 0x0 : 0x2;
    const aclHeader = [handle & 0xff, (handle >> 8) | (flags << 4), l2cap.length & 0xff, l2cap.length >> 8];
    return {
      ...base,
      direction,
      packet: { type: 'acl', data: withHeader(aclHeader, 0, l2cap) },
      // ACL header, L2CAP header, SMP code.
      ...unknownAt(9),
    };
  }
  return undefined;
}

/**
 * An event's parameters from its fields, and where in them the first field
 * built starts (the subevent code, or Command Complete's own octets, come
 * before); hidden values go to `hidden`.
 */
function eventParameters(
  code: number,
  fields: PrintedLine[],
  hidden: UnknownValue[],
): { data: Uint8Array; shift: number } | undefined {
  const layout = EVENT_FIELDS[code];
  if (layout) {
    const data = buildFields(layout, fields, hidden);
    return data && { data, shift: 0 };
  }
  if (code === 0x3e) {
    const sub = /^LE .*\(0x([0-9a-fA-F]{2})\)$/.exec(fields[0]?.label ?? '');
    if (!sub) return undefined;
    const subevent = Number.parseInt(sub[1]!, 16);
    const subLayout = LE_SUBEVENT_FIELDS[subevent];
    const body = subLayout ? buildFields(subLayout, fields.slice(1), hidden) : undefined;
    return body ? { data: withHeader([subevent], 0, body), shift: 1 } : undefined;
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
      return status
        ? { data: Uint8Array.of(status[0]!, ncmd, opcode & 0xff, opcode >> 8), shift: 0 }
        : undefined;
    }
    const returned = buildFields(RETURN_FIELDS[opcode] ?? [['Status', 'paren', 1]], rest, hidden);
    return returned
      ? { data: withHeader([ncmd, opcode & 0xff, opcode >> 8], 0, returned), shift: 3 }
      : undefined;
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
