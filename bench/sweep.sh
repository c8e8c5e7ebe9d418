#!/usr/bin/env bash
# GFLOP/s of an LSTM training step (forward, backward, SGD update) in Recur and in PyTorch at its
# best, against the batch size (T 50, I 128, H 256, B 1…512) and against the hidden size (T 50,
# I 128, B 64, H 64…2048), on the same machine in one run. Writes docs/gflops-sweep.tsv and draws
# docs/gflops-sweep.svg from it (bench/sweep_plot.py). Run it on an idle machine.
# Each point: Recur best of REPEATS processes (default 2); PyTorch best over torch {1,2} ×
# OpenBLAS {1,2} threads (bench/peers.sh unsets the OpenBLAS kernel pins and checks its matmul).
# FLOPs: 2·T·B·4·H·(I+H) per forward, ×3 for a training step (as bench/Recur.Bench/LayerCases.cs).
# Usage: [REPEATS=n] [BATCHES="1 8 64"] [HIDDENS="128 512"] bash bench/sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/peers.sh
REPEATS=${REPEATS:-2}
out=docs/gflops-sweep.tsv
tmp="$out.partial"
printf "axis\tB\tH\trecur_gflops\ttorch_gflops\ttorch_cfg\tpeak_gflops\n" > "$tmp"
point() { # point AXIS B H
  local axis=$1 B=$2 H=$3 T=50 I=128 spec ours="" best_line=""
  spec="lstm:$B:$T:$I:$H:train"
  for r in $(seq "$REPEATS"); do keep_faster ours $BENCH layers "$spec"; done
  for t in 1 2; do for b in 1 2; do keep_faster best_line torch_run "$t" "$b" "$spec" "$t"; done; done
  local tms gf tgf
  tms=$(field ms "$best_line"); gf=$(field gflops "$ours")
  tgf=$(awk -v B="$B" -v H="$H" -v T="$T" -v I="$I" -v ms="$tms" 'BEGIN{printf "%.1f", 2*T*B*4*H*(I+H)*3/(ms*1e6)}')
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$axis" "$B" "$H" "$gf" "$tgf" "t$(field threads "$best_line")/blas$(field blas_threads "$best_line")" "$peak" | tee -a "$tmp"
}
for B in ${BATCHES:-1 2 4 8 16 32 64 128 256 512}; do point batch "$B" 256; done
for H in ${HIDDENS:-64 128 256 512 1024 2048}; do point hidden 64 "$H"; done
mv "$tmp" "$out"
"$PY" bench/sweep_plot.py "$out" docs/gflops-sweep.svg
echo "wrote $out and docs/gflops-sweep.svg (two-core FMA peak measured now: $peak GFLOP/s)"
