#!/usr/bin/env bash
# Load test of `recur serve` on loopback: 1, 16, 64 and 256 concurrent clients against the SST-2
# classifier and the character LM, with micro-batching (the default) and without (--max-batch 1).
# Prints throughput, p50/p99 latency and errors per case, then checks a sample of the answers
# against the command line (`recur predict`, `recur charlm sample`): every one must be identical.
#
#   bash bench/serve_load.sh [--seconds 10] [--clients "1 16 64 256"] [--classify RUN] [--charlm RUN] [--max-tokens 64]
#
# Without --classify/--charlm it trains them once into bench/.serve-load/ (SST-2 with the classify
# defaults, about a minute; Tiny Shakespeare for --charlm-minutes, default 3). Every request loop is
# bounded in time; the server listens on 127.0.0.1 only and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10 clients="1 16 64 256" classify="" charlm="" max_tokens=64 charlm_minutes=3 port=5391
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --classify) classify="$2"; shift 2 ;;
    --charlm) charlm="$2"; shift 2 ;;
    --max-tokens) max_tokens="$2"; shift 2 ;;
    --charlm-minutes) charlm_minutes="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "serve_load.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=bench/.serve-load
mkdir -p "$work"
dotnet build -c Release src/Recur.Cli/Recur.Cli.csproj -v quiet -nologo >/dev/null
dotnet build -c Release bench/Recur.ServeLoad/Recur.ServeLoad.csproj -v quiet -nologo >/dev/null
recur=src/Recur.Cli/bin/Release/net10.0/recur
client=bench/Recur.ServeLoad/bin/Release/net10.0/Recur.ServeLoad

if [ -z "$classify" ]; then
  classify="$work/sst2"
  [ -f "$classify/metrics.json" ] || "$recur" classify --out "$classify" --quiet
fi
if [ -z "$charlm" ]; then
  charlm="$work/charlm"
  [ -f "$charlm/metrics.json" ] || "$recur" charlm train --minutes "$charlm_minutes" --out "$charlm" --quiet
fi

# Inputs: 500 SST-2 dev sentences; primes: the first words of Tiny Shakespeare lines.
tail -n +2 data/sentiment_sst2_glue/dev.tsv | cut -f1 | sed 's/ *$//' | sed -n '1,500p' > "$work/sentences.txt"
grep -E '^[A-Z][A-Za-z ]{3,}' data/tinyshakespeare/input.txt | cut -c1-12 | sed -n '1,200p' > "$work/primes.txt"

server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
  server=""
}
trap stop_server EXIT

start_server() { # $1: extra options
  # shellcheck disable=SC2086
  "$recur" serve --model "sst2=$classify" --model "lm=$charlm" --urls "http://127.0.0.1:$port" --max-queue 100000 $1 > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "serve_load.sh: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1
}

status=0
for mode in batched unbatched; do
  if [ "$mode" = batched ]; then start_server ""; else start_server "--max-batch 1"; fi
  for c in $clients; do
    "$client" --url "http://127.0.0.1:$port" --model sst2 --kind classify --clients "$c" --seconds "$seconds" \
      --inputs "$work/sentences.txt" --answers "$work/classify-$mode-$c.tsv" --label "$mode" || status=1
  done
  for c in $clients; do
    "$client" --url "http://127.0.0.1:$port" --model lm --kind generate --clients "$c" --seconds "$seconds" --max-tokens "$max_tokens" \
      --inputs "$work/primes.txt" --answers "$work/generate-$mode-$c.tsv" --label "$mode" || status=1
  done
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^recur_batch_size_(sum|count)' | sed "s/^/  $mode: /"
  stop_server
done

# Every answer the server gave must be the command line's answer.
"$recur" predict --model "$classify" --input "$work/sentences.txt" | awk -F'\t' '{ print NR - 1 "\t" $1 "\t" $2 }' > "$work/classify-cli.tsv"
checked=0 wrong=0
for f in "$work"/classify-*-*.tsv; do
  n=$(join -t $'\t' <(sort "$f") <(sort "$work/classify-cli.tsv") | awk -F'\t' '$2 != $4 || $3 != $5' | wc -l)
  checked=$((checked + $(wc -l < "$f"))); wrong=$((wrong + n))
done
samples=0 swrong=0
for f in "$work"/generate-batched-*.tsv "$work"/generate-unbatched-*.tsv; do
  [ -f "$f" ] || continue
  while IFS=$'\t' read -r i text; do
    [ "$samples" -lt 40 ] || break
    prime=$(sed -n "$((i + 1))p" "$work/primes.txt")
    expected=$("$recur" charlm sample --model "$charlm" --prime "$prime" --length "$max_tokens" --temperature 0.8 --seed "$((i + 1))")
    got=$(python3 -c 'import json,sys; print(sys.argv[1] + json.loads(sys.argv[2]))' "$prime" "$text")
    samples=$((samples + 1))
    [ "$expected" = "$got" ] || swrong=$((swrong + 1))
  done < <(head -n 10 "$f")
done
echo "answers checked against recur predict: $checked, different: $wrong; generations checked against recur charlm sample: $samples, different: $swrong"
[ "$wrong" -eq 0 ] && [ "$swrong" -eq 0 ] || status=1
exit "$status"
