#!/usr/bin/env python3
"""A Web Push service (RFC 8030) for the notify-webpush tests, on 127.0.0.1 (plain HTTP/1.1).

    push_service.py --out messages.jsonl

Prints {"port": N} as one line on stdout once it listens. It plays both sides a browser
needs: it makes subscriptions and it receives the pushes sent to them.

  GET  /new-subscription[?kind=push|gone|busy|toolarge|broken]
       makes a P-256 key pair and a 16-byte auth secret, as a browser's PushManager does, and
       answers {"endpoint": "http://127.0.0.1:N/<kind>/<id>", "keys": {"p256dh", "auth"}}.
  POST /push/<id>   verifies the VAPID token (RFC 8292: "Authorization: vapid t=JWT, k=KEY";
                    ES256 over k's key, aud = this origin, exp in the future and at most 24 h
                    ahead, sub a mailto: or https: URL), DECRYPTS the body with the PyPI
                    package http_ece (aes128gcm, the subscription's private key and auth
                    secret) and answers 201 with a Location; a bad token answers 403, a body
                    that does not decrypt 400.
  POST /raw/<name>  verifies the token the same way, keeps the body as it is (base64url) and
                    answers 201: for the RFC 8291 Appendix A check, whose keys the test gives.
  POST /gone/<id>   410 Gone (an expired subscription).
  POST /busy/<id>   429 with "Retry-After: 11".
  POST /toolarge/<id>  413;  POST /broken/<id>  500.

Each POST is appended to --out as one JSON line: path, status, vapid (true or the reason it
failed), vapid_k, vapid_claims, payload (the decrypted JSON, or the text), raw_body
(base64url, /raw only), ttl, topic, urgency, content_encoding, content_type.

Exits when its stdin closes, so a test that dies never leaves it running.
"""
import argparse
import base64
import http.server
import json
import secrets
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs, urlparse

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_vapid(header, origin):
    """(True, k, claims) or (reason, k, claims)."""
    if not header or not header.startswith("vapid "):
        return "no 'vapid' Authorization header", None, None
    params = {}
    for part in header[len("vapid "):].split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    token, k = params.get("t"), params.get("k")
    if not token or not k:
        return "the Authorization header lacks t= or k=", k, None
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        head = json.loads(unb64url(head_b64))
        claims = json.loads(unb64url(claims_b64))
        sig = unb64url(sig_b64)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(k))
    except Exception as e:  # any malformed part is a refusal, with its reason
        return f"malformed token or key: {e}", k, None
    if head.get("alg") != "ES256":
        return f"alg is {head.get('alg')!r}, not ES256", k, claims
    if len(sig) != 64:
        return f"the signature is {len(sig)} bytes, not r||s (64)", k, claims
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the ES256 signature does not verify with k", k, claims
    now = time.time()
    if claims.get("aud") != origin:
        return f"aud is {claims.get('aud')!r}, not {origin!r}", k, claims
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 86400 + 60:
        return f"exp {exp!r} is not in the next 24 hours", k, claims
    sub = claims.get("sub", "")
    if not (sub.startswith("mailto:") or sub.startswith("https:")):
        return f"sub {sub!r} is not a mailto: or https: URL", k, claims
    return True, k, claims


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = open(args.out, "a", encoding="utf-8")
    lock = threading.Lock()
    subscriptions = {}  # id -> (private key, auth secret)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *a):
            pass

        def origin(self):
            return f"http://127.0.0.1:{self.server.server_address[1]}"

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/new-subscription":
                return self.answer(404)
            kind = parse_qs(url.query).get("kind", ["push"])[0]
            key = ec.generate_private_key(ec.SECP256R1())
            auth = secrets.token_bytes(16)
            sid = uuid.uuid4().hex
            with lock:
                subscriptions[sid] = (key, auth)
            point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            body = json.dumps({"endpoint": f"{self.origin()}/{kind}/{sid}",
                               "keys": {"p256dh": b64url(point), "auth": b64url(auth)}}).encode()
            self.answer(200, body, [("Content-Type", "application/json")])

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            _, kind, sid = (self.path.split("/", 2) + ["", ""])[:3]
            vapid, k, claims = verify_vapid(self.headers.get("Authorization"), self.origin())
            record = {"path": self.path, "vapid": vapid, "vapid_k": k, "vapid_claims": claims,
                      "ttl": self.headers.get("TTL"), "topic": self.headers.get("Topic"),
                      "urgency": self.headers.get("Urgency"),
                      "content_encoding": self.headers.get("Content-Encoding"),
                      "content_type": self.headers.get("Content-Type")}
            headers = []
            if kind == "gone":
                status = 410
            elif kind == "busy":
                status, headers = 429, [("Retry-After", "11")]
            elif kind == "toolarge":
                status = 413
            elif kind == "broken":
                status = 500
            elif vapid is not True:
                status = 403
            elif kind == "raw":
                record["raw_body"] = b64url(body)
                status = 201
            elif kind == "push" and sid in subscriptions:
                key, auth = subscriptions[sid]
                try:
                    plain = http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
                    try:
                        record["payload"] = json.loads(plain)
                    except ValueError:
                        record["payload"] = plain.decode("utf-8", "replace")
                    status = 201
                    headers = [("Location", f"{self.origin()}/message/{uuid.uuid4().hex}")]
                except Exception as e:
                    record["decrypt_error"] = str(e)
                    status = 400
            else:
                status = 404
            record["status"] = status
            with lock:
                out.write(json.dumps(record) + "\n")
                out.flush()
            self.answer(status, b"" if status < 300 else json.dumps({"status": status}).encode(), headers)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while sys.stdin.buffer.read(4096):
        pass
    server.shutdown()
    out.close()


if __name__ == "__main__":
    main()
