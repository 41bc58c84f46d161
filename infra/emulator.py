"""Local AWS for InvoiceFlow: moto's server on loopback, one request at a time.

moto's threaded server has been seen to lose concurrent updates to one item, so this
serves requests strictly one after another (each request is atomic, as DynamoDB's are).

    emulator.py --port 4566            serve until SIGINT/SIGTERM
    emulator.py --port 0 --exit-with-stdin
                                       pick a free port, print it, and exit when stdin
                                       closes (so a test process that dies takes it along)
"""

import argparse
import logging
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--exit-with-stdin", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("MOTO_PORT", str(args.port))
    # One access-log line per AWS call drowns the API's own logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        args.host, args.port, app, threaded=False, processes=1, request_handler=MotoRequestHandler
    )
    # The real port (when asked for 0) on the first line of stdout, for whoever started us.
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    # Whoever started us read that line and may have closed the pipe: anything moto prints
    # later must not raise BrokenPipeError (which ended the server mid-run).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

    def stop(*_: object) -> None:
        os._exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if args.exit_with_stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
