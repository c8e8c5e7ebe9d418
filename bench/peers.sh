# Sourced by bench/compare.sh and bench/sweep.sh (from the repository root): installs PyTorch and
# OpenBLAS from Debian if missing, builds Recur.Bench, measures the two-core FMA peak and checks
# PyTorch's float32 matmul against float64 with OpenBLAS's own kernel choice; defines
#   PY, BENCH, peak       the Python of python3-torch, the Recur.Bench command, the peak in GFLOP/s
#   field NAME LINE       the value of NAME=… in a line of key=value fields
#   torch_run T B ARGS…   bench/torch_bench.py with torch T threads, OpenBLAS B threads, the pins removed
#   keep_faster VAR CMD…  runs CMD (one line with ms=…) and keeps in VAR whichever line is faster
# Some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds misbehave on some
# processors); pinned that way OpenBLAS runs older, slower kernels. Both are unset for the PyTorch
# commands alone; nothing else changes them.
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

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n 1; }

# Peak two-core FMA throughput measured now, for the "% of peak" figures.
# The peak table has rows "threads GFLOP/s per-core"; take the two-thread row.
peak=$($BENCH peak 2>/dev/null | awk '$1 == "2" && $2 ~ /^[0-9.]+$/ { print $2; exit }')
[ -n "$peak" ] || { echo "could not read the FMA peak from 'Recur.Bench peak'" >&2; exit 1; }

faster() { [ -z "$2" ] || awk -v a="$(field ms "$1")" -v b="$(field ms "$2")" 'BEGIN{exit !(a<b)}'; }
keep_faster() { local var=$1 line; shift; line=$("$@"); if faster "$line" "${!var}"; then printf -v "$var" '%s' "$line"; fi; }

torch_run() { # torch_run TORCH_THREADS BLAS_THREADS ARGS...
  local t=$1 b=$2; shift 2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$b" "$PY" bench/torch_bench.py "$@"
}

# The kernels OpenBLAS picks by itself must compute correct results here: check a float32 matmul
# against float64 with each OpenBLAS thread count, before timing anything (skip: PEERS_NO_TORCH=1).
if [ -z "${PEERS_NO_TORCH:-}" ]; then
  for b in 1 2; do
    if ! check=$(torch_run 1 "$b" --check); then
      echo "PyTorch's matmul does not match the float64 reference with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset ($check); comparison stopped." >&2
      exit 1
    fi
    echo "PyTorch matmul $check" >&2
  done
fi
