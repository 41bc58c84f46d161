"""Cold start of a function binary under a local Lambda Runtime API.

Serves the Runtime API (next invocation / response) on loopback, starts the binary as Lambda
would (AWS_LAMBDA_RUNTIME_API and the function's environment), hands it one event, and reports:

  init     process start -> its first `GET /runtime/invocation/next` (ready for an event)
  first    process start -> its response to that event

    measure_init.py BINARY EVENT.json [--runs N]
"""

import argparse
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    event: bytes = b""
    started = 0.0
    ready_at: float | None = None
    answered_at: float | None = None
    response: bytes = b""
    served = threading.Event()

    def log_message(self, *_):  # quiet
        pass

    def do_GET(self):
        cls = type(self)
        if cls.ready_at is None:
            cls.ready_at = time.perf_counter()
        elif cls.served.is_set():
            # The function asks for a second event: keep it waiting until we kill it.
            time.sleep(30)
            return
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "00000000-0000-0000-0000-000000000001")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 10_000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:meta")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(cls.event)))
        self.end_headers()
        self.wfile.write(cls.event)

    def do_POST(self):
        cls = type(self)
        length = int(self.headers.get("Content-Length", 0))
        cls.response = self.rfile.read(length)
        cls.answered_at = time.perf_counter()
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        cls.served.set()


def run_once(binary: str, event: bytes) -> tuple[float, float, dict]:
    RuntimeApi.event = event
    RuntimeApi.ready_at = None
    RuntimeApi.answered_at = None
    RuntimeApi.served = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update(
        AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_port}",
        AWS_LAMBDA_FUNCTION_NAME="meta",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_LOG_FORMAT="JSON",
        AWS_LAMBDA_LOG_LEVEL="WARN",
    )
    for name, value in {
        "TABLE_NAME": "invoiceflow",
        "EXPORT_BUCKET": "invoiceflow-exports",
        "TENANT_KEY_ID": "alias/invoiceflow-tenant-data",
        "EXPORT_KEY_ID": "alias/invoiceflow-exports",
        "SIGNING_KEY_ID": "alias/invoiceflow-session-signing",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    }.items():
        env.setdefault(name, value)
    started = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not RuntimeApi.served.wait(timeout=20):
            raise SystemExit("the function did not answer within 20 s")
    finally:
        process.kill()
        process.wait()
        server.shutdown()
    assert RuntimeApi.ready_at is not None and RuntimeApi.answered_at is not None
    return (
        (RuntimeApi.ready_at - started) * 1000,
        (RuntimeApi.answered_at - started) * 1000,
        json.loads(RuntimeApi.response or b"{}"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("event")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    event = open(args.event, "rb").read()
    inits, firsts, status = [], [], None
    for _ in range(args.runs):
        init, first, response = run_once(args.binary, event)
        inits.append(init)
        firsts.append(first)
        status = response.get("statusCode")
    print(f"{args.binary} x{args.runs}, event {os.path.basename(args.event)} -> status {status}")
    for name, values in (("init (start -> ready)", inits), ("first response", firsts)):
        values.sort()
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"  {name:22} p50 {statistics.median(values):7.2f} ms   p90 {p90:7.2f} ms   min {values[0]:7.2f} ms")
    sys.exit(0 if status == 200 else 1)


if __name__ == "__main__":
    main()
