"""Local AWS for InvoiceFlow: moto's server on loopback, one request at a time.

moto's threaded server has been seen to lose concurrent updates to one item, so this
serves requests strictly one after another (each request is atomic, as DynamoDB's are).

moto backs up every table a TransactWriteItems touches with a deep copy of the whole table,
so each transaction costs time in proportion to everything stored: at a few thousand
invoices a transaction took seconds and seeding a thousand of them never finished. Here a
transaction backs up only the items it names, and puts them back if it fails (what the
whole-table copy did, for the only items a transaction can change).

In front of moto, `tenant_fence.TenantFence` refuses what IAM would refuse the application:
a tenant's partition, data key or files reached with any credentials but that tenant's.

    emulator.py --port 4566            serve until SIGINT/SIGTERM
    emulator.py --port 0 --exit-with-stdin
                                       pick a free port, print it, and exit when stdin
                                       closes (so a test process that dies takes it along)
"""

import argparse
import copy
import logging
import os
import signal
import sys
import threading
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from tenant_fence import TenantFence


class _TablesStayPut:
    """`copy` as moto's DynamoDB module sees it during a transaction: a table "copied" for
    the rollback is the table itself (its items are backed up one by one instead)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _backed_up_items(backend: DynamoDBBackend, transact_items: list) -> list:
    """(table, hash, range, a copy of the item or None) for each item the transaction names."""
    saved = []
    for entry in transact_items:
        try:
            ((_, op),) = entry.items()
            table = backend.tables[op["TableName"]]
            attributes = op.get("Key") or op["Item"]
            hash_value = DynamoType(attributes[table.hash_key_attr])
            range_value = (
                DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
            )
            current = table.get_item(hash_value, range_value)
        except Exception:
            # Nothing can be written for an entry without a whole key; moto refuses it.
            continue
        saved.append((table, hash_value, range_value, copy.deepcopy(current)))
    return saved


def _put_back(saved: list) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is None:
            table.items.pop(hash_value, None)
            if item is not None:
                table.items[hash_value] = item
        else:
            table.items[hash_value].pop(range_value, None)
            if item is not None:
                table.items[hash_value][range_value] = item


def _transactions_back_up_their_items_only() -> None:
    whole_table_backup = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list) -> None:
        saved = _backed_up_items(self, transact_items)
        dynamodb_models.copy = _TablesStayPut()
        try:
            whole_table_backup(self, transact_items)
        except BaseException:
            _put_back(saved)
            raise
        finally:
            dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--exit-with-stdin", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("MOTO_PORT", str(args.port))
    _transactions_back_up_their_items_only()
    # One access-log line per AWS call drowns the API's own logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = TenantFence(DomainDispatcherApplication(create_backend_app))
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
