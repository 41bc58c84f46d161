#!/usr/bin/env bash
# `make dev`: the emulator and the API server, stopped together by Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

api_port=3000
aws_port=4566

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$api_port" "$aws_port"; do
  if in_use "$port"; then
    echo "make dev: 127.0.0.1:$port is already in use; InvoiceFlow is probably running in another terminal (stop it with Ctrl-C there)." >&2
    exit 1
  fi
done

# Build before starting anything, so a compile error leaves nothing running.
cargo build --quiet -p invoiceflow-infra --bin invoiceflow-local

infra/.venv/bin/python infra/emulator.py --port "$aws_port" >/dev/null &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 100); do in_use "$aws_port" && break; sleep 0.1; done
in_use "$aws_port" || { echo "make dev: the AWS emulator did not start" >&2; exit 1; }
echo "AWS emulator listening on http://127.0.0.1:$aws_port"

export AWS_ENDPOINT_URL="http://127.0.0.1:$aws_port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export INVOICEFLOW_ADDR="127.0.0.1:$api_port"
target/debug/invoiceflow-local
