#!/usr/bin/env python3
"""A webhook receiver for the notify-webhook tests, on 127.0.0.1 (HTTP/1.1, keep-alive).

    webhook_peer.py --secret SECRET --out requests.jsonl
                    [--fail 500=0.1,429=0.1,400=0.05] [--fail-times K] [--retry-after S]
                    [--tls-cert-out cert.pem]

Prints {"port": N} as one line on stdout once it listens; with --tls-cert-out PATH it speaks
HTTPS with a self-signed certificate for 127.0.0.1 written to PATH (the plugin's ca_file).
Verifies each POST's Standard
Webhooks signature with its own code: HMAC-SHA256 over "webhook-id.webhook-timestamp.body",
keyed by the secret ("whsec_" + base64: the decoded bytes; anything else: its UTF-8 bytes),
compared with every "v1,<base64>" of webhook-signature; the timestamp must be within 5 minutes.

--fail answers a fraction of the ids with that status instead of 204, chosen by the SHA-256
of the id, so the same id always falls in the same band and a test can predict which ones
fail (print_failing below). With --fail-times K, a failing id fails only its first K attempts.
429 and 503 answers carry "Retry-After: S" with --retry-after.

Each request is appended to --out as one JSON line: id, verified, status (what was
answered), idempotency_key, timestamp, body (parsed JSON, or null), client_port (one per
connection, so tests can count reused connections), attempt (1 for the first time an id is seen).

Exits when its stdin closes, so a test that dies never leaves it running.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import ssl
import sys
import threading
import time


def key_of(secret):
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode()


def band(identifier):
    """A number in [0, 1) fixed by the id."""
    return int(hashlib.sha256(identifier.encode()).hexdigest()[:8], 16) / 2**32


def planned_status(identifier, failures):
    """The status a failing id gets, or None: [(status, fraction), ...] laid end to end."""
    x, edge = band(identifier), 0.0
    for status, fraction in failures:
        edge += fraction
        if x < edge:
            return status
    return None


def verify(key, msg_id, timestamp, body, header):
    if not msg_id or not timestamp or not header:
        return False
    try:
        if abs(time.time() - int(timestamp)) > 300:
            return False
    except ValueError:
        return False
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for part in header.split():
        version, _, sig = part.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--secret", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fail", default="")
    ap.add_argument("--fail-times", type=int, default=0)
    ap.add_argument("--retry-after", type=int, default=0)
    ap.add_argument("--tls-cert-out", help="speak HTTPS with a self-signed certificate written here")
    args = ap.parse_args()
    key = key_of(args.secret)
    failures = []
    for item in filter(None, args.fail.split(",")):
        status, _, fraction = item.partition("=")
        failures.append((int(status), float(fraction)))
    out = open(args.out, "a", encoding="utf-8")
    lock = threading.Lock()
    attempts = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in separate writes

        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            msg_id = self.headers.get("webhook-id")
            ok = verify(key, msg_id, self.headers.get("webhook-timestamp"), body,
                        self.headers.get("webhook-signature"))
            with lock:
                attempt = attempts[msg_id] = attempts.get(msg_id, 0) + 1
            status = planned_status(msg_id or "", failures) if ok else 401
            if status is not None and ok and args.fail_times and attempt > args.fail_times:
                status = None
            status = status or 204
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            record = {
                "id": msg_id,
                "verified": ok,
                "status": status,
                "idempotency_key": self.headers.get("Idempotency-Key"),
                "timestamp": self.headers.get("webhook-timestamp"),
                "content_type": self.headers.get("Content-Type"),
                "body": parsed,
                "client_port": self.client_address[1],
                "attempt": attempt,
            }
            with lock:
                out.write(json.dumps(record) + "\n")
                out.flush()
            answer = b"" if status == 204 else json.dumps({"error": f"planned {status}"}).encode()
            self.send_response(status)
            if status in (429, 503) and args.retry_after:
                self.send_header("Retry-After", str(args.retry_after))
            self.send_header("Content-Length", str(len(answer)))
            if answer:
                self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_cert_out:
        from selfsigned import make_certificate

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert_out, make_certificate(args.tls_cert_out))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while sys.stdin.buffer.read(4096):
        pass
    server.shutdown()
    out.close()


if __name__ == "__main__":
    main()
