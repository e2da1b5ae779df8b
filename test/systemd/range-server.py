#!/usr/bin/env python3
"""A storage host for the systemd suite, run inside the container: serves the files of one folder
at /NAME with an ETag and single-range support (bytes=a-b, a-), paced by ?rate=BYTES_PER_SECOND
per connection, and appends every request's Range header to FOLDER/requests.log.
Usage: range-server.py FOLDER PORT"""
import http.server
import os
import sys
import time
import urllib.parse

ROOT, PORT = sys.argv[1], int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        rate = int(urllib.parse.parse_qs(url.query).get("rate", ["0"])[0])
        path = os.path.join(ROOT, os.path.basename(url.path))
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write("%s %s\n" % (url.path, self.headers.get("Range", "-")))
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = os.path.getsize(path)
        start, end, status = 0, size - 1, 200
        asked = self.headers.get("Range", "")
        if asked.startswith("bytes="):
            first, _, last = asked[6:].partition("-")
            start, end, status = int(first), min(int(last) if last else size - 1, size - 1), 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", '"%d-%d"' % (size, int(os.path.getmtime(path))))
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            left, began, sent = end - start + 1, time.monotonic(), 0
            while left > 0:
                chunk = f.read(min(left, 65536))
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return
                left -= len(chunk)
                sent += len(chunk)
                if rate > 0:
                    ahead = sent / rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
