"""Cold start of function binaries under a local Lambda Runtime API, beside a floor.

Serves the Runtime API (next invocation / response) on loopback, starts each binary as Lambda
would (AWS_LAMBDA_RUNTIME_API and the function's environment), hands it one event, and reports:

  init     process start -> its first `GET /runtime/invocation/next` (ready for an event)
  first    process start -> its response to that event

Runs are interleaved (floor, then each function, N rounds), so every binary sees the same machine
noise, and each function's init p50 is printed as a multiple of the floor's p50 from the same run.

    measure_init.py --floor FLOOR_BINARY BINARY[:EVENT.json] ... [--event DEFAULT.json] [--runs N]
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
    # A handler class of this run's own: a thread of an earlier run's server that is still
    # answering its killed process cannot write this run's times (that once made init negative).
    handler = type(
        "ThisRun",
        (RuntimeApi,),
        {"event": event, "ready_at": None, "answered_at": None, "response": b"", "served": threading.Event()},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
        "ALLOWED_ORIGINS": "https://app.example.com",
    }.items():
        env.setdefault(name, value)
    started = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not handler.served.wait(timeout=20):
            raise SystemExit(f"{binary} did not answer within 20 s")
    finally:
        process.kill()
        process.wait()
        server.shutdown()
    assert handler.ready_at is not None and handler.answered_at is not None
    assert handler.ready_at >= started, "a ready time from before the process started"
    return (
        (handler.ready_at - started) * 1000,
        (handler.answered_at - started) * 1000,
        json.loads(handler.response or b"{}"),
    )


def summary(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    p90 = values[max(int(len(values) * 0.9) - 1, 0)]
    return statistics.median(values), p90, values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floor", required=True, help="the hello-world binary to compare against")
    parser.add_argument("--event", help="the event for binaries named without one")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("binaries", nargs="+", help="BINARY or BINARY:EVENT.json")
    args = parser.parse_args()
    targets = [("floor", args.floor, args.event)]
    for spec in args.binaries:
        binary, _, event = spec.partition(":")
        targets.append((os.path.basename(binary), binary, event or args.event))
    missing = [name for name, _, path in targets if not path]
    if missing:
        raise SystemExit(f"no event for {', '.join(missing)}: name one, or pass --event")
    events = {name: open(path, "rb").read() for name, _, path in targets}
    results = {name: ([], [], []) for name, _, _ in targets}
    for _ in range(args.runs):
        for name, binary, _ in targets:
            init, first, response = run_once(binary, events[name])
            inits, firsts, statuses = results[name]
            inits.append(init)
            firsts.append(first)
            statuses.append(response.get("statusCode"))
    floor_p50 = summary(results["floor"][0])[0]
    print(f"cold start, {args.runs} interleaved runs each (init = process start -> ready for an event)")
    print(f"{'binary':12} {'init p50':>9} {'p90':>8} {'min':>8} {'x floor':>8} {'first p50':>10}  status")
    failed = False
    for name, _, _ in targets:
        inits, firsts, statuses = results[name]
        p50, p90, low = summary(inits)
        first_p50 = summary(firsts)[0]
        codes = sorted({s for s in statuses}, key=str)
        failed |= any(not isinstance(s, int) or s >= 500 for s in statuses)
        print(f"{name:12} {p50:7.2f}ms {p90:6.2f}ms {low:6.2f}ms {p50 / floor_p50:7.2f}x {first_p50:8.2f}ms  {codes}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
