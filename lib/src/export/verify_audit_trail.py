#!/usr/bin/env python3
"""Checks an InvoiceFlow audit trail against its signed checkpoints, offline.

    python3 verify.py DIR        (DIR holds trail.jsonl, checkpoints.jsonl, public-key.pem)

Needs Python 3.9+ and the `cryptography` package. Prints what it found and exits 0 when the
trail is intact, 1 when it is not.

The format (decision 0027 of InvoiceFlow):
- trail.jsonl: each audit entry's canonical line, oldest first; its "id" is a ULID.
- checkpoints.jsonl: one JSON object per checkpoint, in order: "statement" (the text that
  was signed: JSON with v, tenant, seq, first, through, count, previous, digest, signed_at)
  and "signature" (ECDSA P-256 over the statement's SHA-256, DER, base64).
- Checkpoint n's digest is SHA-256 over: checkpoint n-1's digest in hex (64 zeros for the
  first), a newline, then each entry it covers (those after checkpoint n-1's last, up to and
  including its "through") as its line and a newline.
"""

import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

GENESIS = "0" * 64


def main(folder: Path) -> int:
    key = load_pem_public_key((folder / "public-key.pem").read_bytes())
    problems = []
    statements = []
    previous, expected = GENESIS, 1
    for text in (folder / "checkpoints.jsonl").read_text("utf-8").splitlines():
        checkpoint = json.loads(text)
        statement_text = checkpoint["statement"]
        try:
            key.verify(
                base64.b64decode(checkpoint["signature"]),
                statement_text.encode("utf-8"),
                ec.ECDSA(hashes.SHA256()),
            )
        except (InvalidSignature, ValueError):
            problems.append(f"checkpoint {expected}: the signature does not verify")
            expected += 1
            continue
        statement = json.loads(statement_text)
        if statement["seq"] != expected:
            problems.append(f"checkpoints {expected} to {statement['seq'] - 1} are missing")
        if statement["previous"] != previous:
            problems.append(f"checkpoint {statement['seq']} does not follow the one before")
        expected, previous = statement["seq"] + 1, statement["digest"]
        statements.append(statement)

    lines = (folder / "trail.jsonl").read_text("utf-8").splitlines()
    entries = [(json.loads(line)["id"], line) for line in lines]
    at = 0
    for statement in statements:
        digest = hashlib.sha256(statement["previous"].encode() + b"\n")
        covered = []
        while at < len(entries) and entries[at][0] <= statement["through"]:
            digest.update(entries[at][1].encode("utf-8") + b"\n")
            covered.append(entries[at][0])
            at += 1
        if (
            digest.hexdigest() != statement["digest"]
            or len(covered) != statement["count"]
            or not covered
            or covered[0] != statement["first"]
            or covered[-1] != statement["through"]
        ):
            problems.append(
                f"checkpoint {statement['seq']}: the entries from {statement['first']} to "
                f"{statement['through']} are not the ones it signed"
            )

    sealed, unsealed = at, len(entries) - at
    print(f"{len(statements)} checkpoints, {sealed} entries signed, {unsealed} newer than the last")
    for problem in problems:
        print("PROBLEM:", problem)
    print("intact" if not problems else "NOT intact")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
