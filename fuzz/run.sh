#!/usr/bin/env bash
# Fuzzes Recur's readers with AFL++ (Debian's afl++) through SharpFuzz.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]     default: 180 seconds for each target
#
# Publishes fuzz/Recur.Fuzz, instruments Recur.dll, Recur.Audio.dll and Recur.Cli.dll with the sharpfuzz tool
# (fuzz/dotnet-tools.json), then runs afl-fuzz on each target, one after another, at low priority.
# Every crash or hang AFL++ saves is copied to fuzz/findings/TARGET/ (named by its SHA-1), where
# the test suite replays it; a table of executions and findings is printed and written to
# fuzz/out/summary.tsv. The target processes run with a 512 MiB GC heap limit, so input that
# makes a reader allocate beyond its bounds is a crash too.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(safetensors recur architecture npy npz csv tsv conllu task wav); fi
command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)"; exit 1; }

bin="out/bin"
rm -rf "$bin"
nice -n 10 dotnet publish Recur.Fuzz -c Release -o "$bin" >/dev/null
dotnet tool restore >/dev/null
for dll in Recur.dll Recur.Audio.dll Recur.Cli.dll; do dotnet sharpfuzz "$bin/$dll"; done

summary="out/summary.tsv"
printf 'target\tseconds\texecs_done\texecs_per_sec\tcorpus_count\tsaved_crashes\tsaved_hangs\n' >"$summary"
for t in "${targets[@]}"; do
  out="out/$t"
  rm -rf "$out"
  echo "run.sh: fuzzing $t for $seconds s"
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  DOTNET_GCHeapHardLimit=0x20000000 DOTNET_TieredPGO=0 \
    nice -n 10 afl-fuzz -V "$seconds" -t 5000 -m none -i "corpus/$t" -o "$out" -- dotnet "$bin/Recur.Fuzz.dll" "$t" >"$out.log" 2>&1 || true
  stats="$out/default/fuzzer_stats"
  [ -f "$stats" ] || { echo "run.sh: $t did not start; see fuzz/$out.log"; continue; }
  value() { sed -n "s/^$1 *: *//p" "$stats"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seconds" "$(value execs_done)" "$(value execs_per_sec)" \
    "$(value corpus_count)" "$(value saved_crashes)" "$(value saved_hangs)" >>"$summary"
  for kind in crashes hangs; do
    for f in "$out/default/$kind"/id:*; do
      [ -f "$f" ] || continue
      mkdir -p "findings/$t"
      cp "$f" "findings/$t/$kind-$(sha1sum "$f" | cut -c1-12)"
    done
  done
done
column -t -s $'\t' "$summary"
