"""The emulator's stand-in for the IAM policies of decision 0028, so every test shows that the
application reaches a tenant's data only with that tenant's credentials.

moto enforces no IAM condition. This WSGI layer, in front of it, knows three kinds of caller
by the access key that signed the request:

- a tenant's session: the credentials moto's STS issued for an `AssumeRole` with the session
  tag `tenant=<ULID>` (this layer reads the tag from the request and the key from the answer);
- a function: an access key that begins with `FUNCTION` (the tests give the application such
  keys, as each function has its own role);
- anyone else (the tests' own harness, the bootstrap): an operator, not fenced.

and allows what `template.yaml` allows them:

- a tenant's session: items whose partition is `T#<its ULID>`, and the shared index items a
  transaction writes beside them (`EMAIL#`, `LINK#`, `KEY#`; written, never read); its data key and export files'
  key only with the encryption context `tenant=acc_<its ULID>`; files only under
  `exports/acc_<its ULID>/` and `documents/acc_<its ULID>/`. No index query, no Scan.
- a function: the shared index items (`EMAIL#`, `LINK#`, `KEY#`, `SYSTEM`), the sparse index
  (keys only), and no tenant's partition, data key or file.

The policies themselves are checked by the IAM policy simulator (`tests/policy`); this checks
that the code keeps to them. A refusal is answered as AWS answers it (AccessDenied) and
printed to stderr.
"""

import io
import json
import re
import sys
import threading
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs, unquote

SHARED_ITEM_PREFIXES = ("EMAIL#", "LINK#", "KEY#")
FUNCTION_ITEM_PREFIXES = SHARED_ITEM_PREFIXES + ("SYSTEM",)
FUNCTION_KEY_PREFIX = "FUNCTION"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
TENANT_FILE_ROOTS = ("exports/", "documents/")
KMS_DATA_OPERATIONS = {"GenerateDataKey", "Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKeyWithoutPlaintext"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/")
_ACCESS_KEY = re.compile(r"<AccessKeyId>([^<]+)</AccessKeyId>")


class Refused(Exception):
    pass


class TenantFence:
    def __init__(self, app: Callable) -> None:
        self.app = app
        self.tenants: dict[str, str] = {}
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = b""
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        key, service = _signer(environ)
        if key is None:
            return self.app(environ, start_response)
        if service == "sts" and b"Action=AssumeRole" in body:
            return self._assume(environ, start_response, body)
        with self.lock:
            tenant = self.tenants.get(key)
        caller = (
            ("tenant", tenant)
            if tenant
            else ("function", None) if key.startswith(FUNCTION_KEY_PREFIX) else None
        )
        if caller is None:
            return self.app(environ, start_response)
        try:
            if service == "dynamodb":
                _dynamodb(caller, environ, body)
            elif service == "kms":
                _kms(caller, environ, body)
            elif service == "s3":
                _s3(caller, environ, body)
        except Refused as refusal:
            print(f"tenant fence: {caller[0]} {caller[1] or ''} refused: {refusal}", file=sys.stderr, flush=True)
            return _denied(service, str(refusal), start_response)
        return self.app(environ, start_response)

    def _assume(self, environ: dict, start_response: Callable, body: bytes) -> Iterable[bytes]:
        form = parse_qs(body.decode())
        tags = {
            form[f"Tags.member.{n}.Key"][0]: form.get(f"Tags.member.{n}.Value", [""])[0]
            for n in range(1, 51)
            if f"Tags.member.{n}.Key" in form
        }
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list, exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        answer = b"".join(self.app(environ, keep))
        found = _ACCESS_KEY.search(answer.decode(errors="replace"))
        if found and "tenant" in tags:
            with self.lock:
                self.tenants[found.group(1)] = tags["tenant"]
        start_response(captured["status"], captured["headers"])
        return [answer]


def _signer(environ: dict) -> tuple[Optional[str], Optional[str]]:
    found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if found:
        return found.group(1), found.group(2)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    credential = query.get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    if len(parts) >= 4:
        return parts[0], parts[3]
    return None, None


def _dynamodb(caller: tuple, environ: dict, body: bytes) -> None:
    operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
    request = json.loads(body or b"{}")
    kind, tenant = caller
    if operation == "DescribeTable":
        return
    if operation == "Scan":
        raise Refused("Scan")
    if operation == "Query" and request.get("IndexName"):
        if kind == "tenant":
            raise Refused("a query of an index")
        return
    for pk in _leading_keys(operation, request):
        if kind == "tenant":
            shared = pk.startswith(SHARED_ITEM_PREFIXES) and operation in WRITES
            if pk != f"T#{tenant}" and not shared:
                raise Refused(f"{operation} on partition {pk}")
        elif not pk.startswith(FUNCTION_ITEM_PREFIXES):
            raise Refused(f"{operation} on partition {pk}")


def _leading_keys(operation: str, request: dict) -> list[str]:
    def pk(attributes: Optional[dict]) -> str:
        return ((attributes or {}).get("PK") or {}).get("S", "")

    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        return [pk(request.get("Key"))]
    if operation == "PutItem":
        return [pk(request.get("Item"))]
    if operation == "Query":
        condition = request.get("KeyConditionExpression", "")
        names = request.get("ExpressionAttributeNames", {})
        values = request.get("ExpressionAttributeValues", {})
        for name, value in re.findall(r"([#\w]+)\s*=\s*(:\w+)", condition):
            if names.get(name, name) == "PK":
                return [values.get(value, {}).get("S", "")]
        return [""]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        keys = []
        for entry in request.get("TransactItems", []):
            for op in entry.values():
                keys.append(pk(op.get("Key") or op.get("Item")))
        return keys
    if operation == "BatchWriteItem":
        return [
            pk((w.get("PutRequest") or {}).get("Item") or (w.get("DeleteRequest") or {}).get("Key"))
            for writes in request.get("RequestItems", {}).values()
            for w in writes
        ]
    if operation == "BatchGetItem":
        return [pk(k) for t in request.get("RequestItems", {}).values() for k in t.get("Keys", [])]
    return []


def _kms(caller: tuple, environ: dict, body: bytes) -> None:
    operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
    if operation not in KMS_DATA_OPERATIONS:
        if caller[0] == "tenant":
            raise Refused(f"kms:{operation}")
        return
    context = json.loads(body or b"{}").get("EncryptionContext") or {}
    kind, tenant = caller
    if kind == "tenant":
        if context != {"tenant": f"acc_{tenant}"}:
            raise Refused(f"kms:{operation} with context {context}")
    elif "tenant" in context:
        raise Refused(f"kms:{operation} with a tenant's context")


def _s3(caller: tuple, environ: dict, body: bytes) -> None:
    path = unquote(environ.get("PATH_INFO", ""))
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    _, _, key = path.lstrip("/").partition("/")
    if not key and "delete" in query:
        # DeleteObjects: IAM authorises each key it names as a DeleteObject.
        for named in re.findall(r"<Key>([^<]*)</Key>", body.decode(errors="replace")):
            _s3_key(caller, environ, named)
        return
    if not key:
        key = query.get("prefix", [""])[0]
    _s3_key(caller, environ, key)


def _s3_key(caller: tuple, environ: dict, key: str) -> None:
    path = unquote(environ.get("PATH_INFO", ""))
    kind, tenant = caller
    if kind == "function":
        if key.startswith(TENANT_FILE_ROOTS) or not key:
            raise Refused(f"s3 {environ.get('REQUEST_METHOD')} {path}")
        return
    if not key.startswith(tuple(f"{root}acc_{tenant}/" for root in TENANT_FILE_ROOTS)):
        raise Refused(f"s3 {environ.get('REQUEST_METHOD')} {path} {environ.get('QUERY_STRING', '')}")


def _denied(service: Optional[str], message: str, start_response: Callable) -> Iterable[bytes]:
    if service == "s3":
        body = f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>".encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml")])
        return [body]
    kind = (
        "com.amazonaws.dynamodb.v20120810#AccessDeniedException"
        if service == "dynamodb"
        else "AccessDeniedException"
    )
    body = json.dumps({"__type": kind, "message": message}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")])
    return [body]
