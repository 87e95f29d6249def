#!/usr/bin/env python3
"""An SMSC simulator speaking SMPP 3.4 over TCP on loopback, for tests/smpp.rs.

The SMPP sessions are the `smpp34` package's server (pip install smpp34). Its server accepts
every bind without showing the password, so a small gate in front of it (plain asyncio +
struct) reads the first PDU, answers a wrong system_id or password with ESME_RINVSYSID /
ESME_RINVPASWD itself, and otherwise hands the connection, bind included, to the smpp34 server
on a second loopback port.

Usage:
    smsc.py --port 0 --messages FILE [--stats FILE] [--system-id ID] [--password PW]
            [--throttle-every N] [--answer-delay-ms MS] [--receipt-delay-ms MS]

The first line on stdout is the port it listens on (useful with --port 0).

Every accepted submit_sm is appended to --messages as one JSON line:
    {"message_id", "to", "from", "text", "data_coding", "source_addr_ton",
     "source_addr_npi", "dest_addr_ton", "dest_addr_npi", "registered_delivery", "payload"}
with the text decoded (GSM 03.38 for data_coding 0, UTF-16BE for 8) from short_message or,
when that is empty, the message_payload TLV ("payload": true). A delivery receipt
(deliver_sm, esm_class 0x04) follows each one after --receipt-delay-ms. Receipts for even
message numbers also carry the receipted_message_id and message_state TLVs; odd ones are text
only, so both ways of reading a receipt get used.

--stats is rewritten after every answer as JSON: max_inflight (most submit_sm received and
not yet answered at once), submits, accepted, binds, bind_rejects.

Behaviour by destination number:
    ...0000  ESME_RINVDSTADR (permanent)
    ...7777  never answered (the client's response timeout)
    ...9999  accepted, but the receipt says UNDELIV err:001
    otherwise accepted, receipt DELIVRD; with --throttle-every N every Nth of these is
             answered ESME_RTHROTTLED instead.
Answers go out after --answer-delay-ms so that a client's window actually fills.
"""

import argparse
import asyncio
import datetime
import json
import os
import socket
import struct
import sys
import uuid

try:
    import smpp34
except ImportError:
    sys.exit("smsc.py needs the smpp34 package: pip install smpp34")

SMSC_ID = b"TangazoSim\0"
# bind_receiver, bind_transmitter, bind_transceiver -> their responses
BIND_RESP = {0x00000001: 0x80000001, 0x00000002: 0x80000002, 0x00000009: 0x80000009}
GENERIC_NACK = 0x80000000
ESME_RINVBNDSTS = 0x04
ESME_RINVPASWD = 0x0E
ESME_RINVSYSID = 0x0F
TLV_MESSAGE_PAYLOAD = 0x0424

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = {
    0x0A: "\x0c", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}
assert len(GSM7_BASIC) == 128


def log(*parts):
    print("smsc:", *parts, file=sys.stderr, flush=True)


def decode_gsm7(octets: bytes) -> str:
    out, escape = [], False
    for o in octets:
        if escape:
            out.append(GSM7_EXTENSION.get(o, "?"))
            escape = False
        elif o == 0x1B:
            escape = True
        else:
            out.append(GSM7_BASIC[o & 0x7F])
    return "".join(out)


def decode_text(data_coding: int, body: bytes) -> str:
    if data_coding == 0x00:
        return decode_gsm7(body)
    if data_coding == 0x08:
        return body.decode("utf-16-be", errors="replace")
    return body.decode("latin-1")


def c_strings(body: bytes, count: int):
    values, pos = [], 0
    for _ in range(count):
        end = body.find(b"\0", pos)
        if end < 0:
            return None
        values.append(body[pos:end].decode("ascii", errors="replace"))
        pos = end + 1
    return values


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Smsc:
    def __init__(self, args):
        self.args = args
        self.inner_port = 0
        self.sessions = {}
        self.held = []  # ...7777 submits, kept so they are never answered
        self.prefix = uuid.uuid4().hex[:8]  # ids stay distinct across restarts
        self.stats = {"max_inflight": 0, "submits": 0, "accepted": 0, "binds": 0, "bind_rejects": 0}
        self.inflight = 0
        self.throttle_count = 0
        self.messages = open(args.messages, "a", encoding="utf-8")

    def write_stats(self):
        if not self.args.stats:
            return
        tmp = self.args.stats + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.stats, f)
        os.replace(tmp, self.args.stats)

    async def run(self):
        self.inner_port = free_port()
        server = smpp34.Server(host="127.0.0.1", port=self.inner_port, system_id="TangazoSim")
        await server.start()
        gate = await asyncio.start_server(self.gate, "127.0.0.1", self.args.port)
        port = gate.sockets[0].getsockname()[1]
        print(port, flush=True)
        log(f"listening on 127.0.0.1:{port}")
        self.write_stats()
        while True:
            ev = await server.next()
            if isinstance(ev, smpp34.Esme):
                self.sessions[ev.session_id] = ev
                self.stats["binds"] += 1
                self.write_stats()
            elif isinstance(ev, smpp34.SubmitSmEvent):
                self.on_submit(ev)
            elif isinstance(ev, smpp34.Unbound):
                self.sessions.pop(ev.session_id, None)

    async def gate(self, reader, writer):
        """Checks the bind's credentials, then pipes the connection to the smpp34 server."""
        try:
            header = await reader.readexactly(16)
            length, command_id, _status, seq = struct.unpack(">IIII", header)
            if length < 16 or length > 4096:
                return
            body = await reader.readexactly(length - 16)
            if command_id not in BIND_RESP:
                writer.write(struct.pack(">IIII", 16, GENERIC_NACK, ESME_RINVBNDSTS, seq))
                await writer.drain()
                return
            fields = c_strings(body, 2)
            status = 0
            if fields is None or fields[0] != self.args.system_id:
                status = ESME_RINVSYSID
            elif fields[1] != self.args.password:
                status = ESME_RINVPASWD
            if status:
                self.stats["bind_rejects"] += 1
                self.write_stats()
                log(f"bind rejected with status {status:#x} for system_id {fields and fields[0]!r}")
                resp = struct.pack(">IIII", 16 + len(SMSC_ID), BIND_RESP[command_id], status, seq)
                writer.write(resp + SMSC_ID)
                await writer.drain()
                return
            inner_reader, inner_writer = await asyncio.open_connection("127.0.0.1", self.inner_port)
            inner_writer.write(header + body)
            await inner_writer.drain()
            await pipe_both(reader, writer, inner_reader, inner_writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def on_submit(self, ev):
        self.stats["submits"] += 1
        if ev.destination_addr.endswith("7777"):
            self.held.append(ev)
            return
        self.inflight += 1
        self.stats["max_inflight"] = max(self.stats["max_inflight"], self.inflight)
        asyncio.get_running_loop().create_task(self.answer(ev))

    async def answer(self, ev):
        await asyncio.sleep(self.args.answer_delay_ms / 1000)
        to = ev.destination_addr
        try:
            if to.endswith("0000"):
                ev.reject(smpp34.ESME_RINVDSTADR)
                return
            self.throttle_count += 1
            every = self.args.throttle_every
            if every and self.throttle_count % every == 0:
                ev.reject(smpp34.ESME_RTHROTTLED)
                return
            self.stats["accepted"] += 1
            number = self.stats["accepted"]
            message_id = f"{self.prefix}{number:06x}"
            body, payload = ev.short_message, False
            if not body:
                body = next((t.value for t in ev.tlvs if t.tag == TLV_MESSAGE_PAYLOAD), b"")
                payload = True
            text = decode_text(ev.data_coding, body)
            record = {
                "message_id": message_id,
                "to": to,
                "from": ev.source_addr,
                "text": text,
                "data_coding": ev.data_coding,
                "source_addr_ton": ev.source_addr_ton,
                "source_addr_npi": ev.source_addr_npi,
                "dest_addr_ton": ev.dest_addr_ton,
                "dest_addr_npi": ev.dest_addr_npi,
                "registered_delivery": ev.registered_delivery,
                "payload": payload,
            }
            # Written before the answer, so whoever sees Sent finds the line.
            self.messages.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.messages.flush()
            ev.accept(message_id)
            if ev.registered_delivery & 0x01:
                asyncio.get_running_loop().create_task(
                    self.receipt(ev.session_id, ev, message_id, text, number % 2 == 0)
                )
        finally:
            self.inflight -= 1
            self.write_stats()

    async def receipt(self, session_id, ev, message_id, text, with_tlvs):
        await asyncio.sleep(self.args.receipt_delay_ms / 1000)
        esme = self.sessions.get(session_id)
        if esme is None:
            log(f"no session {session_id} left for the receipt of {message_id}")
            return
        delivered = not ev.destination_addr.endswith("9999")
        stat, err = ("DELIVRD", "000") if delivered else ("UNDELIV", "001")
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%y%m%d%H%M")
        short = text[:20].encode("ascii", errors="replace").decode("ascii")
        receipt = (
            f"id:{message_id} sub:001 dlvrd:{'001' if delivered else '000'} "
            f"submit date:{when} done date:{when} stat:{stat} err:{err} text:{short}"
        )
        tlvs = []
        if with_tlvs:
            tlvs = [
                smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\0"),
                smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, bytes([2 if delivered else 5])),
            ]
        try:
            resp = await esme.deliver_sm(
                ev.source_addr,
                receipt.encode("ascii"),
                source_addr=ev.destination_addr,
                source_addr_ton=1,
                source_addr_npi=1,
                esm_class=0x04,
                tlvs=tlvs,
            )
            if not resp.is_success:
                log(f"receipt for {message_id} answered with status {resp.command_status:#x}")
        except Exception as e:  # the session may be gone: a receipt is best effort here
            log(f"receipt for {message_id} not delivered: {e}")


async def pipe_both(r1, w1, r2, w2):
    async def copy(src, dst):
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except ConnectionError:
            pass
        finally:
            dst.close()

    await asyncio.gather(copy(r1, w2), copy(r2, w1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--messages", required=True)
    p.add_argument("--stats")
    p.add_argument("--system-id", default="tangazo")
    p.add_argument("--password", default="secret")
    p.add_argument("--throttle-every", type=int, default=0)
    p.add_argument("--answer-delay-ms", type=int, default=10)
    p.add_argument("--receipt-delay-ms", type=int, default=50)
    args = p.parse_args()
    try:
        asyncio.run(Smsc(args).run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
