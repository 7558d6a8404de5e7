#!/usr/bin/env python3
"""An SMTP server for the notify-smtp tests (aiosmtpd), on 127.0.0.1.

    smtp_peer.py --out messages.jsonl --cert-out peer-cert.pem [--user U --password P]
                 [--dkim-selector S --dkim-domain D --dkim-public-key key.pem] [--implicit-tls]

Prints {"port": N} as one line on stdout once it listens. Offers STARTTLS (or speaks TLS from
the first byte with --implicit-tls) with a self-signed certificate for 127.0.0.1/localhost that
it writes to --cert-out, so the plugin's ca_file can trust it. With --user, AUTH PLAIN/LOGIN
with that user and password is required (and only after TLS).

Each accepted message is appended to --out as one JSON line: mail_from, rcpt_tos, data (the
raw bytes, base64), dkim (dkimpy's verify() with a DNS function serving the selector's TXT
record from --dkim-public-key; null when no key is given), dkim_h (the h= tag, lower case),
message_id, list_unsubscribe, list_unsubscribe_post, auth_user, tls, subject (decoded), text
(the text/plain part, decoded), client_port (one per
connection, so tests can count reused connections).

Recipients whose local part starts with "tempfail" get 451 at RCPT, "reject" 550 at RCPT,
"datafail" 451 at the end of DATA, "datareject" 554 there.

--idle-timeout drops a session idle that long (default 300 s), as busy servers do.

Exits when its stdin closes, so a test that dies never leaves it running.
"""
import argparse
import asyncio
import base64
import email
import email.header
import email.policy
import json
import os
import ssl
import sys
import warnings

import dkim
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography.hazmat.primitives import serialization

from selfsigned import make_certificate


warnings.filterwarnings("ignore", message="Session.login_data")


def dkim_txt_record(path):
    """The "v=DKIM1; k=rsa; p=..." record of a PEM public (or private) key."""
    with open(path, "rb") as f:
        pem = f.read()
    if b"PRIVATE KEY" in pem:
        public = serialization.load_pem_private_key(pem, password=None).public_key()
    else:
        public = serialization.load_pem_public_key(pem)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def decoded_subject(msg):
    """The Subject with its RFC 2047 words decoded."""
    raw = msg.get("Subject")
    return None if raw is None else str(email.header.make_header(email.header.decode_header(raw)))


def plain_text(msg):
    """The text/plain part, its transfer encoding and charset undone."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return None


class Authenticator:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    def __init__(self, out, txt_name, txt_record):
        self.out = out
        self.txt_name, self.txt_record = txt_name, txt_record

    def dns(self, name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return self.txt_record if name.rstrip(".").lower() == self.txt_name else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 Mailbox busy, try again later"
        if local.startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        locals_ = [a.split("@")[0].lower() for a in envelope.rcpt_tos]
        if any(l.startswith("datafail") for l in locals_):
            return "451 4.7.1 Greylisted, come back later"
        if any(l.startswith("datareject") for l in locals_):
            return "554 5.7.1 Message refused by policy"
        data = envelope.original_content or envelope.content
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        result, h_tag = None, None
        if self.txt_record is not None:
            try:
                result = bool(dkim.verify(data, dnsfunc=self.dns))
            except Exception as exc:  # a verifier crash is a failed verification, with why
                result = False
                print(f"dkim.verify: {exc!r}", file=sys.stderr)
            sig = msg.get("DKIM-Signature")
            if sig:
                tags = dict(
                    t.strip().split("=", 1)
                    for t in "".join(sig.split()).split(";")
                    if "=" in t
                )
                h_tag = [h.lower() for h in tags.get("h", "").split(":") if h]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": base64.b64encode(data).decode(),
            "dkim": result,
            "dkim_h": h_tag,
            "message_id": msg.get("Message-ID"),
            "list_unsubscribe": msg.get("List-Unsubscribe"),
            "list_unsubscribe_post": msg.get("List-Unsubscribe-Post"),
            "auth_user": session.auth_data.login.decode() if session.authenticated and session.auth_data else None,
            "tls": session.ssl is not None
            or (server.transport is not None and server.transport.get_extra_info("ssl_object") is not None),
            "client_port": session.peer[1] if session.peer else None,
            "subject": decoded_subject(msg),
            "text": plain_text(msg),
        }
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        return "250 2.0.0 Ok: queued as K" + os.urandom(4).hex()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--cert-out", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--dkim-selector")
    ap.add_argument("--dkim-domain")
    ap.add_argument("--dkim-public-key")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--idle-timeout", type=float, default=300, help="seconds before an idle session is dropped")
    args = ap.parse_args()

    key_path = make_certificate(args.cert_out)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert_out, key_path)
    txt_name = txt_record = None
    if args.dkim_public_key:
        txt_name = f"{args.dkim_selector}._domainkey.{args.dkim_domain}".lower()
        txt_record = dkim_txt_record(args.dkim_public_key)
    out = open(args.out, "a", encoding="utf-8")
    handler = Handler(out, txt_name, txt_record)
    authenticator = Authenticator(args.user, args.password or "") if args.user else None

    def factory():
        return SMTP(
            handler,
            hostname="peer.test",
            tls_context=None if args.implicit_tls else context,
            require_starttls=not args.implicit_tls,
            authenticator=authenticator,
            auth_required=authenticator is not None,
            auth_require_tls=True,
            data_size_limit=10 * 1024 * 1024,
            timeout=args.idle_timeout,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, "127.0.0.1", 0, ssl=context if args.implicit_tls else None
    )
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)

    stdin_closed = loop.create_future()

    def on_stdin():
        if not os.read(sys.stdin.fileno(), 4096) and not stdin_closed.done():
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stdin_closed
    server.close()
    out.close()


if __name__ == "__main__":
    asyncio.run(main())
