#!/usr/bin/env bash
# `make invoke FN=<function> EVENT=<events/file.json>`: runs one function under cargo-lambda's
# Lambda runtime emulator (`cargo lambda watch`) against the local stack, sends it the event
# (`cargo lambda invoke`) and prints the function's response. The local stack is the emulator at
# AWS_ENDPOINT_URL if set, else `make dev`'s on 127.0.0.1:4566 if it runs, else one of its own
# on a free port (stopped afterwards); no Docker needed. The function's own log goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

fn="${1:?usage: infra/invoke.sh <function> <event.json>}"
event="${2:?usage: infra/invoke.sh <function> <event.json>}"
[[ -d "functions/$fn" ]] || { echo "make invoke: no function $fn in functions/" >&2; exit 2; }
[[ -f "$event" ]] || { echo "make invoke: no event file $event" >&2; exit 2; }

export PATH="$PWD/infra/.venv/bin:$PATH"
# The runtime emulator's port: INVOKE_PORT, else one free now (two `make invoke`s can run at once).
free_port() {
  python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
invoke_port="${INVOKE_PORT:-$(free_port)}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

env_file="$(mktemp)"
listening="$(mktemp)"
function_log="$(mktemp)"
trap 'cleanup; rm -f "$env_file" "$listening" "$function_log"' EXIT
if [[ -z "${AWS_ENDPOINT_URL:-}" ]] && in_use 4566; then
  export AWS_ENDPOINT_URL="http://127.0.0.1:4566"
elif [[ -z "${AWS_ENDPOINT_URL:-}" ]]; then
  # Its own emulator on a free port, which it names on its first line.
  infra/.venv/bin/python infra/emulator.py --port 0 >"$listening" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^listening on ' "$listening" && break; sleep 0.1; done
  AWS_ENDPOINT_URL="$(sed -n 's/^listening on //p' "$listening")"
  [[ -n "$AWS_ENDPOINT_URL" ]] || { echo "make invoke: the AWS emulator did not start" >&2; exit 1; }
  export AWS_ENDPOINT_URL
fi
cargo run --quiet --locked -p invoiceflow-infra --bin invoiceflow-stack -- env >"$env_file"
cargo build --quiet --locked -p "$fn"

cargo lambda watch --quiet --ignore-changes --invoke-port "$invoke_port" \
  --env-file "$env_file" --bin "$fn" >"$function_log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do in_use "$invoke_port" && break; sleep 0.1; done
in_use "$invoke_port" || { echo "make invoke: cargo lambda watch did not start" >&2; exit 1; }

status=0
cargo lambda invoke --invoke-port "$invoke_port" --data-file "$event" "$fn" || status=$?
echo
cat "$function_log" >&2
exit "$status"
