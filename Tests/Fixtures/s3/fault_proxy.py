"""A fault-injecting S3 peer: answers the first FAILS requests with 503 SlowDown (the S3
error document a busy server sends), then forwards every request unchanged to the real
peer (radosgw), which still checks each signature (the Host header is passed through).

usage: fault_proxy.py FAILS [UPSTREAM_PORT]   (FAILS -1: always fail)
Prints the port it listens on (127.0.0.1), then serves until terminated.
GET /__faults answers how many faults were served so far.
"""
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAILS = int(sys.argv[1])
UPSTREAM = int(sys.argv[2]) if len(sys.argv) > 2 else 7480
lock = threading.Lock()
served = {"faults": 0}

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
             b"<Message>Please reduce your request rate.</Message></Error>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__faults":
            self.reply(200, {"Content-Type": "text/plain"}, str(served["faults"]).encode())
            return
        with lock:
            fail = FAILS < 0 or served["faults"] < FAILS
            if fail:
                served["faults"] += 1
        if fail:
            self.reply(503, {"Content-Type": "application/xml"}, SLOW_DOWN if self.command != "HEAD" else b"")
            return
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "transfer-encoding")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        out = {k: v for k, v in answer.getheaders() if k.lower() not in ("connection", "transfer-encoding", "content-length")}
        self.reply(answer.status, out, data, head=self.command == "HEAD", length=answer.getheader("Content-Length"))
        upstream.close()

    def reply(self, status, headers, body, head=False, length=None):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", length if head and length is not None else str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
