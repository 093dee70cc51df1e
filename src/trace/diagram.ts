/**
 * A pairing as a message sequence chart: the initiator and responder as
 * lanes, each PDU an arrow, link events across both, findings marked where
 * they happen. Mermaid text (for Markdown) or a standalone SVG.
 * @module
 */
import type { PairingAudit } from './audit/types.js';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const mermaidText = (text: string) => text.replace(/[;#]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Mermaid `sequenceDiagram` source for the pairings, one chart each, in a
 * Markdown document.
 * @example
 * ```ts
 * writeFileSync('pairing.md', mermaidDiagram(report.pairings));
 * ```
 */
export function mermaidDiagram(pairings: readonly PairingAudit[]): string {
  const out: string[] = [];
  for (const p of pairings) {
    out.push(`## Pairing ${p.index} on ${p.connection}`, '', '```mermaid', 'sequenceDiagram');
    out.push(`  participant I as Initiator ${p.initiator.address ?? ''}`.trimEnd());
    out.push(`  participant R as Responder ${p.responder.address ?? ''}`.trimEnd());
    for (const step of p.steps) {
      const label = mermaidText(`${step.label} (${p.unit} ${step.at})`);
      if (step.from === 'both') out.push(`  Note over I,R: ${label}`);
      else out.push(`  ${step.from === 'initiator' ? 'I->>R' : 'R->>I'}: ${label}`);
      for (const f of p.findings.filter((x) => x.where === step.at && x.severity !== 'info')) {
        out.push(
          `  Note over ${step.from === 'responder' ? 'R' : 'I'}: ${f.severity.toUpperCase()} ${f.rule}`,
        );
      }
    }
    out.push('```', '');
  }
  return out.join('\n');
}

const LANE_I = 160;
const LANE_R = 560;
const ROW = 34;
const COLOURS = { error: '#c62828', warning: '#ef6c00', info: '#2e7d32' } as const;

/**
 * A standalone SVG of the pairings' sequence charts, one below the other.
 * @example
 * ```ts
 * writeFileSync('pairing.svg', svgDiagram(report.pairings));
 * ```
 */
export function svgDiagram(pairings: readonly PairingAudit[]): string {
  const body: string[] = [];
  let y = 20;
  for (const p of pairings) {
    body.push(
      `<text x="20" y="${y + 10}" font-weight="bold">${escapeXml(`Pairing ${p.index} on ${p.connection} (${p.method}${p.model ? `, ${p.model}` : ''}): ${p.outcome}`)}</text>`,
    );
    y += 36;
    const top = y;
    body.push(
      `<text x="${LANE_I}" y="${y}" text-anchor="middle" font-weight="bold">${escapeXml(`Initiator ${p.initiator.address ?? ''}`)}</text>`,
    );
    body.push(
      `<text x="${LANE_R}" y="${y}" text-anchor="middle" font-weight="bold">${escapeXml(`Responder ${p.responder.address ?? ''}`)}</text>`,
    );
    y += 20;
    for (const step of p.steps) {
      y += ROW;
      const label = escapeXml(`${step.label} (${p.unit} ${step.at})`);
      if (step.from === 'both') {
        body.push(
          `<rect x="${LANE_I}" y="${y - 16}" width="${LANE_R - LANE_I}" height="20" fill="#eeeeee"/>`,
        );
        body.push(`<text x="${(LANE_I + LANE_R) / 2}" y="${y - 2}" text-anchor="middle">${label}</text>`);
      } else {
        const [x1, x2] = step.from === 'initiator' ? [LANE_I, LANE_R] : [LANE_R, LANE_I];
        body.push(
          `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="black" marker-end="url(#arrow)"/>`,
        );
        body.push(`<text x="${(LANE_I + LANE_R) / 2}" y="${y - 5}" text-anchor="middle">${label}</text>`);
      }
      const marks = p.findings.filter((f) => f.where === step.at);
      marks.forEach((f, i) => {
        body.push(
          `<text x="${LANE_R + 20}" y="${y + 4 + i * 14}" fill="${COLOURS[f.severity]}" font-size="11">${escapeXml(`${f.severity.toUpperCase()} ${f.rule}`)}</text>`,
        );
      });
      if (marks.length > 1) y += (marks.length - 1) * 14;
    }
    body.unshift(
      `<line x1="${LANE_I}" y1="${top + 6}" x2="${LANE_I}" y2="${y + 10}" stroke="#999"/>`,
      `<line x1="${LANE_R}" y1="${top + 6}" x2="${LANE_R}" y2="${y + 10}" stroke="#999"/>`,
    );
    y += 50;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${y}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" markerWidth="10" markerHeight="7" refX="10" refY="3.5" orient="auto"><polygon points="0 0, 10 3.5, 0 7"/></marker></defs>',
    '<rect width="100%" height="100%" fill="white"/>',
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
