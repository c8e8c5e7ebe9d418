#!/usr/bin/env bash
# Runs the recurrent benchmark cases in Recur and in PyTorch on this machine, in one run, and
# prints a table (case, ours ms, PyTorch ms, ratio, GFLOP/s, % of peak, peak RSS) followed by one
# machine-readable line per case: case=<name> ours_ms=<x> torch_ms=<y> ratio=<x/y>.
# PyTorch is Debian's python3-torch (installed here if missing) and gets its best thread count.
# Debian's torch calls whatever libblas.so.3 the system provides; the default is the generic
# reference BLAS (about 4 GFLOP/s here), so OpenBLAS is installed as well: PyTorch gets its
# optimized BLAS, and each thread count is applied to torch, OpenMP and OpenBLAS alike.
# Usage: [REPEATS=n] bash bench/compare.sh [case ...]
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
# Each side runs every case REPEATS times, alternating, each run in a fresh process, and keeps
# its fastest run (PyTorch: over 1 and 2 threads too). On a virtual machine a whole process can
# land on a slow virtual CPU; the best of a few runs is each side's speed without that noise.
REPEATS=${REPEATS:-3}
faster() { [ -z "$2" ] || awk -v a="$(field ms "$1")" -v b="$(field ms "$2")" 'BEGIN{exit !(a<b)}'; }
lines=()
for c in "${CASES[@]}"; do
  ours=""; best_line=""
  for r in $(seq "$REPEATS"); do
    line=$($BENCH layers "$c")
    if faster "$line" "$ours"; then ours=$line; fi
    for t in 1 2; do
      line=$(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$PY" bench/torch_bench.py "$c" "$t")
      if faster "$line" "$best_line"; then best_line=$line; fi
    done
  done
  best=$(field ms "$best_line")
  oms=$(field ms "$ours"); gf=$(field gflops "$ours"); orss=$(field rss_mb "$ours"); trss=$(field rss_mb "$best_line")
  ratio=$(awk -v a="$oms" -v b="$best" 'BEGIN{printf "%.3f", a/b}')
  pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.0f", 100*g/p}')
  printf "%-20s %10s %10s %7s %9s %7s%% %9s %9s\n" "$c" "$oms" "$best" "$ratio" "$gf" "$pct" "$orss" "$trss"
  lines+=("case=$c ours_ms=$oms torch_ms=$best ratio=$ratio")
done
echo "(Best of $REPEATS runs each; PyTorch also best of 1 and 2 threads; % of peak against the two-core FMA peak measured now: ${peak} GFLOP/s)"
printf "%s\n" "${lines[@]}"
