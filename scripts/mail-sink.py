#!/usr/bin/python3
"""A local SMTP sink for development and tests (Debian python3-aiosmtpd).

Accepts every mail on a loopback port and keeps it: each message is written, parsed, as
one JSON file (from, to, subject, text, html) into --dir, and with --print shown on the
terminal. Nothing is relayed anywhere.

  scripts/mail-sink.py --dir .data/mail [--listen 127.0.0.1:2525] [--print]
  scripts/mail-sink.py --dir DIR --listen 127.0.0.1:0   # any free port: written to DIR/port
  --refuse N   answers the first N mails with 451 (a temporary failure), for retry tests
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


def parse(content):
    message = email.message_from_bytes(content, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "from": str(message.get("From", "")),
        "subject": str(message.get("Subject", "")),
        "message_id": str(message.get("Message-ID", "")),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
    }


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
    os.replace(tmp, path)


class Sink:
    def __init__(self, directory, show, refuse):
        self.directory = directory
        self.show = show
        self.refuse = refuse
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later (mail-sink --refuse)"
        parsed = parse(envelope.content)
        for recipient in envelope.rcpt_tos:
            self.count += 1
            record = dict(parsed, to=recipient, envelope_from=envelope.mail_from)
            name = "%06d.json" % self.count
            write_atomically(os.path.join(self.directory, name), json.dumps(record))
            if self.show:
                print("\n--- mail %d to %s: %s\n%s" % (self.count, recipient, parsed["subject"],
                                                  parsed["text"]), flush=True)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--listen", default="127.0.0.1:2525")
    parser.add_argument("--print", dest="show", action="store_true")
    parser.add_argument("--refuse", type=int, default=0)
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    os.makedirs(args.dir, exist_ok=True)
    handler = Sink(args.dir, args.show, args.refuse)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, enable_SMTPUTF8=True), host or "127.0.0.1",
                           int(port)))
    bound = server.sockets[0].getsockname()[1]
    write_atomically(os.path.join(args.dir, "port"), str(bound))
    if args.show:
        print("mail-sink: listening on smtp://%s:%d, mails in %s" % (host, bound, args.dir),
              flush=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
