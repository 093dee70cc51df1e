// Generates vectors/association-models.json: the expected SMP association
// model for every combination of pairing-feature inputs (800 rows).
//
// Written independently of src/ from the Bluetooth Core Specification,
// Vol 3 Part H 2.3.5.1 (Tables 2.6, 2.7, 2.8) and shared/docs/smp-rules.md
// section 2. No dependencies. Run from the repository root:
//
//   node vectors/association-models.gen.mjs

import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// IO capability values (Pairing Request/Response IO Capability field).
const IO_NAMES = ["DisplayOnly", "DisplayYesNo", "KeyboardOnly", "NoInputNoOutput", "KeyboardDisplay"];

// Mapping of IO capabilities to key generation method:
// Core Vol 3 Part H Table 2.8, as summarised in shared/docs/smp-rules.md section 2.
// Rows: RESPONDER IO capability. Columns: INITIATOR IO capability.
//   JW   = Just Works
//   NC   = Numeric Comparison (LE Secure Connections only)
//   PK-r = Passkey Entry, responder displays, initiator inputs
//   PK-i = Passkey Entry, initiator displays, responder inputs
//   PK-b = Passkey Entry, initiator and responder both input
//   "A/B" = A for LE legacy pairing, B for LE Secure Connections
const IO_TABLE = [
  //                 init: DisplayOnly DisplayYesNo KeyboardOnly NoInputNoOutput KeyboardDisplay
  /* resp DisplayOnly     */ ["JW",   "JW",      "PK-r", "JW", "PK-r"],
  /* resp DisplayYesNo    */ ["JW",   "JW/NC",   "PK-r", "JW", "PK-r/NC"],
  /* resp KeyboardOnly    */ ["PK-i", "PK-i",    "PK-b", "JW", "PK-i"],
  /* resp NoInputNoOutput */ ["JW",   "JW",      "JW",   "JW", "JW"],
  /* resp KeyboardDisplay */ ["PK-i", "PK-i/NC", "PK-r", "JW", "PK-i/NC"],
];

// What each table cell means for the row fields.
const CELL = {
  JW: { model: "just-works", passkeyDisplay: null, passkeyInput: null },
  NC: { model: "numeric-comparison", passkeyDisplay: null, passkeyInput: null },
  "PK-r": { model: "passkey", passkeyDisplay: "responder", passkeyInput: "initiator" },
  "PK-i": { model: "passkey", passkeyDisplay: "initiator", passkeyInput: "responder" },
  "PK-b": { model: "passkey", passkeyDisplay: "none", passkeyInput: "both" },
};
const OOB = { model: "oob", passkeyDisplay: null, passkeyInput: null };

function ioTableEntry(initiatorIo, responderIo, sc) {
  const cell = IO_TABLE[responderIo][initiatorIo];
  const [legacy, secure = legacy] = cell.split("/");
  return CELL[sc ? secure : legacy];
}

// Core Vol 3 Part H 2.3.5.1, Table 2.6 (legacy) and Table 2.7 (SC).
function associationModel({ initiatorIo, responderIo, sc, initiatorMitm, responderMitm, initiatorOob, responderOob }) {
  const useOob = sc
    ? initiatorOob || responderOob // SC: at least one side has OOB data
    : initiatorOob && responderOob; // legacy: both sides have OOB data
  if (useOob) return OOB;
  if (!initiatorMitm && !responderMitm) return CELL.JW; // neither side requires MITM
  return ioTableEntry(initiatorIo, responderIo, sc);
}

const BOOLS = [false, true];
const rows = [];
for (const initiatorIo of [0, 1, 2, 3, 4]) {
  for (const responderIo of [0, 1, 2, 3, 4]) {
    for (const sc of BOOLS) {
      for (const initiatorMitm of BOOLS) {
        for (const responderMitm of BOOLS) {
          for (const initiatorOob of BOOLS) {
            for (const responderOob of BOOLS) {
              const input = { initiatorIo, responderIo, sc, initiatorMitm, responderMitm, initiatorOob, responderOob };
              const { model, passkeyDisplay, passkeyInput } = associationModel(input);
              rows.push({ ...input, model, passkeyDisplay, passkeyInput, authenticated: model !== "just-works" });
            }
          }
        }
      }
    }
  }
}

const out = {
  meta: {
    title: "SMP association model selection: exhaustive expected table",
    spec_ref: "Core Vol 3 Part H 2.3.5.1, Tables 2.6-2.8",
    generated_by:
      "vectors/association-models.gen.mjs, from the spec's Tables 2.6-2.8 (as summarised in shared/docs/smp-rules.md section 2), written independently of src/",
    columns: {
      initiatorIo: `initiator IO capability: ${IO_NAMES.map((n, i) => `${i} ${n}`).join(", ")}`,
      responderIo: "responder IO capability, same encoding as initiatorIo",
      sc: "false: LE legacy pairing; true: both sides set the SC bit (LE Secure Connections)",
      initiatorMitm: "MITM bit set in the initiator's AuthReq",
      responderMitm: "MITM bit set in the responder's AuthReq",
      initiatorOob: "OOB data flag set by the initiator",
      responderOob: "OOB data flag set by the responder",
      model: "expected association model: just-works | passkey | numeric-comparison | oob",
      passkeyDisplay: "passkey rows: who displays the passkey (initiator | responder | none when both input); null otherwise",
      passkeyInput: "passkey rows: who types the passkey (initiator | responder | both); null otherwise",
      authenticated: "false for just-works (unauthenticated keys), true for every other model",
    },
  },
  rows,
};

const target = join(dirname(fileURLToPath(import.meta.url)), "association-models.json");
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${rows.length} rows to ${target}`);
