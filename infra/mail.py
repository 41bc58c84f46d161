"""`make mail`: the e-mails `make dev` has sent, as the local emulator's SES received them.

Each message with its id, sender, recipients, subject, text and attachments (name, type,
size), oldest first. `--raw ID` prints one message's MIME source.
"""

import argparse
import email
import email.policy
import json
import sys
import urllib.request

ENDPOINT = "http://127.0.0.1:4566"


def messages(endpoint: str) -> list[dict]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return data.get("ses", {}).get("RawMessage", [])


def show(message: dict) -> None:
    parsed = email.message_from_string(message["raw_data"], policy=email.policy.default)
    print(f"── {message['id']}")
    print(f"   from     {parsed['From']} (sent as {message['source']})")
    print(f"   to       {parsed['To']}")
    if parsed["Cc"]:
        print(f"   cc       {parsed['Cc']}")
    if parsed["Reply-To"]:
        print(f"   reply-to {parsed['Reply-To']}")
    print(f"   subject  {parsed['Subject']}")
    body = parsed.get_body(preferencelist=("plain",))
    if body is not None:
        for line in body.get_content().strip().splitlines():
            print(f"   │ {line}")
    for part in parsed.iter_attachments():
        size = len(part.get_payload(decode=True) or b"")
        print(f"   📎 {part.get_filename()} ({part.get_content_type()}, {size:,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", default=ENDPOINT)
    parser.add_argument("--raw", metavar="ID", help="print one message's MIME source")
    args = parser.parse_args()
    try:
        sent = messages(args.endpoint)
    except OSError as error:
        print(f"the emulator at {args.endpoint} does not answer ({error}): run `make dev`", file=sys.stderr)
        return 1
    if args.raw:
        for message in sent:
            if message["id"] == args.raw:
                print(message["raw_data"])
                return 0
        print(f"no message {args.raw}", file=sys.stderr)
        return 1
    if not sent:
        print("no e-mail sent yet")
    for message in sent:
        show(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
