"""Verifies webhook deliveries with the Standard Webhooks reference library.

Argument: a JSON file holding a list of {"secret", "headers", "body"}. Prints, as JSON, for
each delivery whether the library verified it against that secret and the payload it parsed.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        deliveries = json.load(handle)
    results = []
    for delivery in deliveries:
        try:
            payload = Webhook(delivery["secret"]).verify(delivery["body"], delivery["headers"])
            results.append({"verified": True, "payload": payload})
        except WebhookVerificationError as error:
            results.append({"verified": False, "error": str(error)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
