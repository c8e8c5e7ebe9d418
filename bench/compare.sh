#!/usr/bin/env bash
# Runs the recurrent benchmark cases in Recur and in PyTorch on this machine, in one run, and
# prints a table (case, ours ms, PyTorch ms, ratio, GFLOP/s, % of peak, peak RSS) followed by one
# machine-readable line per case: case=<name> ours_ms=<x> torch_ms=<y> ratio=<x/y>.
# PyTorch is Debian's python3-torch (installed here if missing) and gets its best thread count.
# Debian's torch calls whatever libblas.so.3 the system provides; the default is the generic
# reference BLAS (about 4 GFLOP/s here), so OpenBLAS is installed as well: PyTorch gets its
# optimized BLAS, and each thread count is applied to torch, OpenMP and OpenBLAS alike.
# Usage: bash bench/compare.sh [case ...]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
"$PY" -c "import torch" 2>/dev/null || need+=(python3-torch)
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} (Debian)..." >&2
  $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${need[@]}" >&2
fi

dotnet build -c Release bench/Recur.Bench -v quiet -nologo >&2
BENCH="dotnet bench/Recur.Bench/bin/Release/net10.0/Recur.Bench.dll"

CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(lstm_small_train lstm_medium_train lstm_large_train gru_medium_train rnn_medium_train lstm_stream_step)

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n 1; }

# Peak two-core FMA throughput measured now, for the "% of peak" column.
# The peak table has rows "threads GFLOP/s per-core"; take the two-thread row.
peak=$($BENCH peak 2>/dev/null | awk '$1 == "2" && $2 ~ /^[0-9.]+$/ { print $2; exit }')
[ -n "$peak" ] || { echo "could not read the FMA peak from 'Recur.Bench peak'" >&2; exit 1; }

printf "%-20s %10s %10s %7s %9s %8s %9s %9s\n" case ours_ms torch_ms ratio GFLOP/s %peak ours_MB torch_MB
lines=()
for c in "${CASES[@]}"; do
  ours=$($BENCH layers "$c")
  best=""; best_line=""
  for t in 1 2; do
    line=$(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$PY" bench/torch_bench.py "$c" "$t")
    ms=$(field ms "$line")
    if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$ms; best_line=$line; fi
  done
  oms=$(field ms "$ours"); gf=$(field gflops "$ours"); orss=$(field rss_mb "$ours"); trss=$(field rss_mb "$best_line")
  ratio=$(awk -v a="$oms" -v b="$best" 'BEGIN{printf "%.3f", a/b}')
  pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.0f", 100*g/p}')
  printf "%-20s %10s %10s %7s %9s %7s%% %9s %9s\n" "$c" "$oms" "$best" "$ratio" "$gf" "$pct" "$orss" "$trss"
  lines+=("case=$c ours_ms=$oms torch_ms=$best ratio=$ratio")
done
echo "(PyTorch: best of 1 and 2 threads; % of peak against the two-core FMA peak measured now: ${peak} GFLOP/s)"
printf "%s\n" "${lines[@]}"
