#!/usr/bin/env bash
# Mutation testing of the numerics with Stryker.NET (dotnet-stryker, pinned in
# .config/dotnet-tools.json). Not part of CI: a folder takes from minutes to hours.
#
#   bash tools/mutation.sh [FOLDER ...]     FOLDER: Layers Losses Optimizers Training Serialization
#                                           (default: all five, one after the other), or a part
#                                           of Layers: Layers/Recurrent Layers/Attention
#                                           Layers/Merge Layers/files (the files directly in it)
#
# Each run mutates src/Recur/FOLDER only and runs only the tests that exercise that folder
# (the filter below; a part of Layers runs all the Layers tests), and Stryker's per-test coverage analysis runs each mutant against just
# the tests that reach it. Runs are niced and single-threaded unless STRYKER_CONCURRENCY
# gives more test runners (2 on the idle two-core machine).
# Reports: StrykerOutput/FOLDER/reports/mutation-report.{html,json}; then, per folder, the
# counts, the score and every surviving or uncovered mutant (file:line, mutator, replacement)
# are printed, which docs/TESTING.md summarises.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

declare -A filters=(
  [Layers]="FullyQualifiedName~Recur.Tests.Layers|FullyQualifiedName~Recur.Tests.Models.QuantizeTests"
  [Losses]="FullyQualifiedName~Recur.Tests.Losses"
  [Optimizers]="FullyQualifiedName~Recur.Tests.Optimizers"
  [Training]="FullyQualifiedName~Recur.Tests.Training|FullyQualifiedName~Recur.Tests.Models.CallbackTests|FullyQualifiedName~Recur.Tests.Models.SummaryAndMetricTests|FullyQualifiedName~Recur.Tests.Models.SequentialTrainingTests"
  [Serialization]="FullyQualifiedName~Recur.Tests.Serialization|FullyQualifiedName~Recur.Tests.Models.ModelFileTests"
)

# What each run mutates: the folder and everything under it, except the parts of Layers, which
# split the folder's one long run into four that can be measured one at a time.
declare -A mutate=(
  [Layers/Recurrent]="**/Layers/Recurrent/**/*.cs"
  [Layers/Attention]="**/Layers/Attention/**/*.cs"
  [Layers/Merge]="**/Layers/Merge/**/*.cs"
  [Layers/files]="**/Layers/*.cs"
)
for part in "${!mutate[@]}"; do filters[$part]="${filters[Layers]}"; done

folders=("$@")
[ ${#folders[@]} -eq 0 ] && folders=(Layers Losses Optimizers Training Serialization)
for f in "${folders[@]}"; do
  [ -n "${filters[$f]:-}" ] || { echo "mutation.sh: unknown folder '$f'; expected one of ${!filters[*]}" >&2; exit 2; }
done

dotnet tool restore >/dev/null
for f in "${folders[@]}"; do
  out="$root/StrykerOutput/${f//\//-}"
  rm -rf "$out"
  echo "== $f: mutating src/Recur/$f, tests: ${filters[$f]}"
  (cd tests/Recur.Tests && nice -n 10 dotnet dotnet-stryker \
      --project Recur.csproj \
      --mutate "${mutate[$f]:-**/$f/**/*.cs}" \
      --test-case-filter "${filters[$f]}" \
      --configuration Release \
      --concurrency "${STRYKER_CONCURRENCY:-1}" \
      --reporter json --reporter html --reporter progress \
      --output "$out")
  python3 "$root/tools/mutation_summary.py" "$f" "$out/reports/mutation-report.json"
done
