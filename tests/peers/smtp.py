"""A real SMTP server for the delivery tests (aiosmtpd).

usage: python3 tests/peers/smtp.py PORT DIR [--discard]

Each accepted message is written to DIR as <n>.eml (with the envelope recipient in an
X-Peer-Rcpt header). Recipients whose local part starts with "bounce" are refused with
550 (permanent); those starting with "busy" get 451 (temporary) every time.

With --discard (benches/delivery.rs) messages are accepted and answered the same way but not
written, so the disk does not weigh on a throughput measurement.
"""

import asyncio
import itertools
import os
import sys

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out, discard=False):
        self.out = out
        self.discard = discard
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("busy"):
            return "451 4.2.1 <%s>: mailbox busy, try later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        if self.discard:
            return "250 2.0.0 Ok: queued as PEER%06d" % n
        path = os.path.join(self.out, "%06d.eml" % n)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(("X-Peer-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, path)
        return "250 2.0.0 Ok: queued as PEER%06d" % n


async def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    discard = "--discard" in sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    controller = Controller(Handler(out, discard), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
