#!/usr/bin/python3
"""A stand-in SMS gateway for transport_test.cc: a real HTTP server on loopback.

Usage: sms_gateway.py PORT OUTFILE TOKEN

Every POST body is appended to OUTFILE as one line (before any check, so a test can tell that no request came).
The answer: 401 unless the Authorization header is "Bearer TOKEN"; else 503 when the text contains "fail-503", 400
when it contains "bad-400", 429 when it contains "busy-429", and 200 otherwise; the body of the answer is a short
JSON object, or 2 MiB of spaces when the text contains "huge-body".
"""

import http.server
import json
import sys


def main():
    port, outfile, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with open(outfile, "ab") as f:
                f.write(body + b"\n")
            if self.headers.get("Authorization") != "Bearer " + token:
                status = 401
                text = ""
            else:
                text = json.loads(body).get("text", "")
                status = 200
                for marker, code in (("fail-503", 503), ("bad-400", 400), ("busy-429", 429)):
                    if marker in text:
                        status = code
            payload = json.dumps({"status": status}).encode()
            if "huge-body" in text:
                payload = b" " * (2 << 20)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
