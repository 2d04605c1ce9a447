#!/usr/bin/env bash
# Measures our proxy beside real peers on this machine and writes docs/benchmarks.md.
#
#   benchmarks/run.sh            the full run (~20 min: every lane, then a 10-minute memory soak)
#   benchmarks/run.sh --smoke    every lane for a second or two (checks the harness; numbers mean nothing);
#                                writes benchmarks/target/bench-smoke/benchmarks.md, never docs/
#   benchmarks/run.sh --profile  the full run with a JFR recording of our server (work dir: kimi.jfr)
#
# Installs what is missing: wrk and nginx (Debian packages, apt-get), the Portkey gateway (npm ci of
# benchmarks/portkey/package-lock.json, pinned), then builds kimi-api.jar and benchmarks.jar with Maven.
# Environment (all optional):
#   SOAK_SECONDS    length of the memory soak (default 600; the smoke uses 3)
#   STREAM_LEVELS   concurrent streams tried (default 64,128,256,512,1024)
#   WS_CLIENTS      WebSocket fan-out clients (default 1000)
#   WS_RATES        fan-out event rates tried in order, events/s (default 100,300,1000)
#   LANES           latency,throughput,streaming,large,fanout,soak,jmh (default: all)
#   PEERS           nginx,portkey,kimi (default: all; "direct" is always measured)
#   KIMI_JVM_FLAGS  our JVM flags (default below, documented in docs/benchmarks.md)
#   BENCH_WORK      work directory (default benchmarks/target/bench-run, or bench-smoke)
#   BENCH_OUT       report file (default docs/benchmarks.md, or the work directory's for the smoke)
#   SKIP_BUILD=1    use the jars already built (CI's smoke, right after `mvn verify`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

SMOKE=false
PROFILE=false
for arg in "$@"; do
    case "$arg" in
        --smoke) SMOKE=true ;;
        --profile) PROFILE=true ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg (expected: --smoke, --profile)" >&2; exit 2 ;;
    esac
done

# Our JVM: a fixed 512 MiB heap (so RSS settles instead of growing toward a quarter of RAM), G1 (measured
# against ParallelGC and SerialGC in benchmarks/NOTES.md), capped direct memory for Netty's buffers.
KIMI_JVM_FLAGS="${KIMI_JVM_FLAGS:--Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxDirectMemorySize=128m}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
NGINX="$(command -v nginx || true)"
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -n "$NGINX" ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (apt-get)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
fi

# The Portkey gateway, pinned by benchmarks/portkey/package-lock.json, installed under target/.
PORTKEY_DIR="$ROOT/benchmarks/target/portkey"
PORTKEY_ARGS=()
if command -v node >/dev/null && command -v npm >/dev/null; then
    if ! cmp -s benchmarks/portkey/package-lock.json "$PORTKEY_DIR/package-lock.json" \
            || [ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json" ]; then
        echo "installing the Portkey gateway (npm ci)"
        rm -rf "$PORTKEY_DIR"
        mkdir -p "$PORTKEY_DIR"
        cp benchmarks/portkey/package.json benchmarks/portkey/package-lock.json "$PORTKEY_DIR/"
        if ! (cd "$PORTKEY_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
            echo "npm ci of the Portkey gateway failed: Portkey is left out of this run" >&2
            rm -rf "$PORTKEY_DIR"
        fi
    fi
    if [ -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json" ]; then
        PORTKEY_ARGS=(--portkey-dir "$PORTKEY_DIR")
    fi
else
    echo "node/npm not found: Portkey is left out of this run" >&2
fi

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    echo "building kimi-api.jar and benchmarks.jar"
    mvn -B -q -DskipTests -pl kimi-api,benchmarks -am package
fi

if $SMOKE; then
    WORK="${BENCH_WORK:-$ROOT/benchmarks/target/bench-smoke}"
    OUT="${BENCH_OUT:-$WORK/benchmarks.md}"
else
    WORK="${BENCH_WORK:-$ROOT/benchmarks/target/bench-run}"
    OUT="${BENCH_OUT:-$ROOT/docs/benchmarks.md}"
fi
rm -rf "$WORK"
mkdir -p "$WORK"

ARGS=(--repo "$ROOT" --work "$WORK" --out "$OUT" --nginx "$NGINX" --kimi-jvm-flags "$KIMI_JVM_FLAGS")
$SMOKE && ARGS+=(--smoke)
$PROFILE && ARGS+=(--profile)
[ -n "${SOAK_SECONDS:-}" ] && ARGS+=(--soak-seconds "$SOAK_SECONDS")
[ -n "${STREAM_LEVELS:-}" ] && ARGS+=(--stream-levels "$STREAM_LEVELS")
[ -n "${WS_CLIENTS:-}" ] && ARGS+=(--ws-clients "$WS_CLIENTS")
[ -n "${WS_RATES:-}" ] && ARGS+=(--ws-rates "$WS_RATES")
[ -n "${LANES:-}" ] && ARGS+=(--lanes "$LANES")
[ -n "${PEERS:-}" ] && ARGS+=(--peers "$PEERS")

# 1,024 streams through a proxy need ~2,100 sockets in one process.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec java -Xmx256m -cp benchmarks/target/benchmarks.jar io.kimi.benchmarks.Runner "${ARGS[@]}" "${PORTKEY_ARGS[@]}"
