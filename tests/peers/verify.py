"""Checks webhooks the way the README's Python receiver does, with the reference library
(`pip install standardwebhooks`).

usage: python3 tests/peers/verify.py < cases

Each input line is JSON: {"secret": "whsec_…", "body": base64 of the body bytes, "headers":
{name: value}}. For each, one output line: "ok", or "refused: <why>".
"""

import base64
import json
import sys

from standardwebhooks.webhooks import Webhook

for line in sys.stdin:
    case = json.loads(line)
    wh = Webhook(case["secret"])
    try:
        wh.verify(base64.b64decode(case["body"]), case["headers"])
        print("ok", flush=True)
    except Exception as e:  # the library's WebhookVerificationError, or a bad header
        print(f"refused: {type(e).__name__}: {e}", flush=True)
