#!/usr/bin/env bash
# Runs the recurrent benchmark cases in Recur and in PyTorch on this machine, in one run, and
# prints a table (case, ours ms, PyTorch ms, ratio, GFLOP/s, % of peak, peak RSS, PyTorch's
# winning thread configuration) followed by one machine-readable line per case:
# case=<name> ours_ms=<x> torch_ms=<y> ratio=<x/y> torch_threads=<n> blas_threads=<m>.
# PyTorch is Debian's python3-torch (installed here if missing) and gets its best configuration:
# - Debian's torch calls whatever libblas.so.3 the system provides; the default is the generic
#   reference BLAS (about 4 GFLOP/s here), so OpenBLAS is installed as well.
# - Some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds misbehave on
#   some processors); pinned that way OpenBLAS runs older, slower kernels. Both are unset for the
#   PyTorch commands alone, and the same run first checks that PyTorch's float32 matmul then
#   matches a float64 reference (the comparison stops if it does not). Nothing else changes them
#   (bench/peers.sh, shared with bench/sweep.sh, does the installing, the build and the check).
# - torch's own threads and OpenBLAS's threads are searched separately, {1,2} x {1,2}: on two
#   cores torch 1 + OpenBLAS 2 is usually fastest, 2 + 2 oversubscribes.
# Then the *_infer cases against ONNX Runtime (Microsoft.ML.OnnxRuntime from NuGet) on the model
# Recur.Onnx exports from the same weights: case=<name> ours_ms=<x> peer_ms=<y> ratio=<x/y>
# peer=onnxruntime peer_threads=<n>. The *_infer_int8 cases are the same shapes with Recur's
# layer quantised to int8 (Model.Quantize) against ONNX Runtime's float32 on the float weights.
# Usage: [REPEATS=n] bash bench/compare.sh [case ...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs the peers, builds Recur.Bench, measures the peak, checks PyTorch: see bench/peers.sh.
# Training/streaming cases run against PyTorch; *_infer cases against ONNX Runtime.
ALL_CASES=(lstm_small_train lstm_medium_train lstm_large_train gru_medium_train rnn_medium_train lstm_stream_step
           lstm_stream_infer lstm_medium_infer gru_medium_infer lstm_large_infer bilstm_masked_infer
           lstm_stream_infer_int8 lstm_medium_infer_int8 gru_medium_infer_int8 lstm_large_infer_int8)
[ $# -gt 0 ] || set -- "${ALL_CASES[@]}"
CASES=(); ORT_CASES=()
for c in "$@"; do
  if [[ $c == *_infer || $c == *_infer_int8 ]]; then ORT_CASES+=("$c"); else CASES+=("$c"); fi
done

[ ${#CASES[@]} -gt 0 ] || PEERS_NO_TORCH=1
source bench/peers.sh

REPEATS=${REPEATS:-3}
ort_run() { $BENCH ort "$@" 2>/dev/null; } # ONNX Runtime's load-time notes go to stderr
lines=()
[ ${#CASES[@]} -eq 0 ] || printf "%-20s %10s %10s %7s %9s %8s %8s %9s %9s %9s\n" case ours_ms torch_ms ratio GFLOP/s %peak torch_%pk ours_MB torch_MB torch_cfg
# Each side runs every case REPEATS times, alternating, each run in a fresh process, and keeps
# its fastest run (PyTorch: over every torch × OpenBLAS thread configuration too). On a virtual
# machine a whole process can land on a slow virtual CPU; the best of a few runs is each side's
# speed without that noise.
for c in "${CASES[@]}"; do
  ours=""; best_line=""
  for r in $(seq "$REPEATS"); do
    keep_faster ours $BENCH layers "$c"
    for t in 1 2; do
      for b in 1 2; do keep_faster best_line torch_run "$t" "$b" "$c" "$t"; done
    done
  done
  best=$(field ms "$best_line")
  oms=$(field ms "$ours"); gf=$(field gflops "$ours"); orss=$(field rss_mb "$ours"); trss=$(field rss_mb "$best_line")
  tt=$(field threads "$best_line"); tb=$(field blas_threads "$best_line"); core=$(field blas_core "$best_line")
  ratio=$(awk -v a="$oms" -v b="$best" 'BEGIN{printf "%.3f", a/b}')
  pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.0f", 100*g/p}')
  # Same FLOP count on both sides: PyTorch's GFLOP/s is ours scaled by the time ratio.
  tpct=$(awk -v g="$gf" -v a="$oms" -v b="$best" -v p="$peak" 'BEGIN{printf "%.0f", 100*g*a/b/p}')
  printf "%-20s %10s %10s %7s %9s %7s%% %7s%% %9s %9s %9s\n" "$c" "$oms" "$best" "$ratio" "$gf" "$pct" "$tpct" "$orss" "$trss" "t$tt/blas$tb"
  lines+=("case=$c ours_ms=$oms torch_ms=$best ratio=$ratio torch_threads=$tt blas_threads=$tb blas_core=$core")
done
[ ${#CASES[@]} -eq 0 ] || echo "(Best of $REPEATS runs each; PyTorch also best over torch {1,2} × OpenBLAS {1,2} threads, torch_cfg is the winner; % of peak against the two-core FMA peak measured now: ${peak} GFLOP/s)"

# Inference against ONNX Runtime: the same weights (Recur's model exported by Recur.Onnx, without
# state inputs), float32, ONNX Runtime with every graph optimisation and 1 or 2 intra-op threads.
if [ ${#ORT_CASES[@]} -gt 0 ]; then
  [ ${#CASES[@]} -eq 0 ] || echo
  printf "%-20s %10s %10s %7s %9s %8s %9s %8s %9s %9s %7s\n" case ours_ms ort_ms ratio GFLOP/s %peak ort_GF/s ort_%pk ours_MB ort_MB ort_thr
  for c in "${ORT_CASES[@]}"; do
    ours=""; best_line=""
    for r in $(seq "$REPEATS"); do
      keep_faster ours $BENCH infer "$c"
      for t in 1 2; do keep_faster best_line ort_run "$c" "$t"; done
    done
    oms=$(field ms "$ours"); gf=$(field gflops "$ours"); orss=$(field rss_mb "$ours")
    pms=$(field ms "$best_line"); pgf=$(field gflops "$best_line"); prss=$(field rss_mb "$best_line"); pt=$(field threads "$best_line")
    ratio=$(awk -v a="$oms" -v b="$pms" 'BEGIN{printf "%.3f", a/b}')
    pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.0f", 100*g/p}')
    ppct=$(awk -v g="$pgf" -v p="$peak" 'BEGIN{printf "%.0f", 100*g/p}')
    printf "%-20s %10s %10s %7s %9s %7s%% %9s %7s%% %9s %9s %7s\n" "$c" "$oms" "$pms" "$ratio" "$gf" "$pct" "$pgf" "$ppct" "$orss" "$prss" "$pt"
    lines+=("case=$c ours_ms=$oms peer_ms=$pms ratio=$ratio peer=onnxruntime peer_threads=$pt")
  done
  echo "(Best of $REPEATS runs each; ONNX Runtime also best of 1 and 2 intra-op threads; GFLOP/s count 2·T·B·G·H·(I+H) per direction, padded steps included; % of peak against the two-core FMA peak measured now: ${peak} GFLOP/s)"
fi
printf "%s\n" "${lines[@]}"
