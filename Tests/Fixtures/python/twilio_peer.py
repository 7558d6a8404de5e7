#!/usr/bin/env python3
"""A Twilio-shaped Messages API for the notify-sms tests, on 127.0.0.1 (HTTP/1.1, keep-alive).

    twilio_peer.py --account-sid AC... --auth-token TOKEN --out requests.jsonl
                   [--callbacks-out callbacks.jsonl] [--retry-after S]

Prints {"port": N} as one line on stdout once it listens. Answers
POST /2010-04-01/Accounts/{AccountSid}/Messages.json as Twilio does: HTTP Basic auth
AccountSid:AuthToken (401, code 20003, otherwise), form fields To, From or
MessagingServiceSid, Body (400, code 21604/21602, when missing), and 201 with
{"sid": "SM…", "status": "queued", …}. The sid is fixed by the Idempotency-Key header, so a
repeated key gets the same message back (recorded as a duplicate), never a second SMS.
Twilio's own test numbers behave as on Twilio: +15005550001 is not a valid number (400,
21211), +15005550009 not a mobile number (400, 21614). +1555429… gets 429 (with Retry-After),
+1555500… gets 500.

Each request is appended to --out as one JSON line: to, from, body, status_callback,
idempotency_key, auth_ok, status (answered), duplicate, client_port.

With --callbacks-out, every accepted message that has a StatusCallback adds two lines there:
the request the daemon would receive from Twilio for "sent" then "delivered" ("undelivered"
with ErrorCode 30003 for numbers ending in 3003), as parse_callback's request_json
({"url", "method", "headers": {"x-twilio-signature", ...}, "body"}), signed with this peer's
own implementation of Twilio's scheme: base64(HMAC-SHA1(AuthToken, URL + sorted
name+value pairs)).

Exits when its stdin closes, so a test that dies never leaves it running.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import sys
import threading
import urllib.parse


def twilio_signature(auth_token, url, params):
    data = url
    for name in sorted(set(params)):
        values = params[name] if isinstance(params[name], list) else [params[name]]
        for value in sorted(set(values)):
            data += name + value
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--account-sid", required=True)
    ap.add_argument("--auth-token", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--callbacks-out")
    ap.add_argument("--retry-after", type=int, default=0)
    args = ap.parse_args()
    out = open(args.out, "a", encoding="utf-8")
    callbacks = open(args.callbacks_out, "a", encoding="utf-8") if args.callbacks_out else None
    lock = threading.Lock()
    sids = {}
    expected_auth = "Basic " + base64.b64encode(f"{args.account_sid}:{args.auth_token}".encode()).decode()
    path = f"/2010-04-01/Accounts/{args.account_sid}/Messages.json"

    def callback_request(url, params):
        return {
            "url": url,
            "method": "POST",
            "headers": {
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": twilio_signature(args.auth_token, url, params),
            },
            "body": urllib.parse.urlencode(params),
        }

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *a):
            pass

        def answer(self, status, obj, extra=()):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", "replace")
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
            auth_ok = hmac.compare_digest(self.headers.get("Authorization", ""), expected_auth)
            to, sender = form.get("To", ""), form.get("From") or form.get("MessagingServiceSid")
            key = self.headers.get("Idempotency-Key")
            record = {"to": to, "from": sender, "body": form.get("Body"), "status_callback": form.get("StatusCallback"),
                      "idempotency_key": key, "auth_ok": auth_ok, "duplicate": False,
                      "content_type": self.headers.get("Content-Type"), "client_port": self.client_address[1]}
            extra = ()
            if self.path != path:
                status, obj = 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            elif not auth_ok:
                status, obj = 401, {"code": 20003, "message": "Authenticate", "status": 401}
            elif not to:
                status, obj = 400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400}
            elif not form.get("Body"):
                status, obj = 400, {"code": 21602, "message": "Message body is required.", "status": 400}
            elif to == "+15005550001":
                status, obj = 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number.", "status": 400}
            elif to == "+15005550009":
                status, obj = 400, {"code": 21614, "message": f"'To' number {to} is not a mobile number", "status": 400}
            elif to.startswith("+1555429"):
                status, obj = 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
                if args.retry_after:
                    extra = (("Retry-After", str(args.retry_after)),)
            elif to.startswith("+1555500"):
                status, obj = 500, {"code": 20500, "message": "Internal Server Error", "status": 500}
            else:
                with lock:
                    duplicate = key is not None and key in sids
                    sid = sids.get(key) or "SM" + hashlib.sha256((key or raw).encode()).hexdigest()[:32]
                    sids[key] = sid
                record["duplicate"] = duplicate
                status, obj = 201, {"sid": sid, "status": "queued", "to": to, "from": sender, "body": form.get("Body"),
                                    "account_sid": args.account_sid}
                url = form.get("StatusCallback")
                if callbacks and url and not duplicate:
                    base = {"AccountSid": args.account_sid, "ApiVersion": "2010-04-01", "From": sender or "",
                            "MessageSid": sid, "SmsSid": sid, "To": to}
                    final = ("undelivered", "30003") if to.endswith("3003") else ("delivered", None)
                    lines = []
                    for state, code in (("sent", None), final):
                        params = dict(base, MessageStatus=state, SmsStatus=state)
                        if code:
                            params["ErrorCode"] = code
                        lines.append(json.dumps(callback_request(url, params)))
                    with lock:
                        callbacks.write("\n".join(lines) + "\n")
                        callbacks.flush()
            record["status"] = status
            with lock:
                out.write(json.dumps(record) + "\n")
                out.flush()
            self.answer(status, obj, extra)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while sys.stdin.buffer.read(4096):
        pass
    server.shutdown()
    out.close()
    if callbacks:
        callbacks.close()


if __name__ == "__main__":
    main()
