#!/usr/bin/env bash
# Runs the command line and the library readers on the hostile inputs of docs/RELIABILITY.md and
# prints one markdown row per case: exit code, lines on stderr, peak memory and wall time
# (from /usr/bin/time -v), and the message. Timings depend on the machine: run it on an idle one.
#
#   bash fuzz/hostile.sh [DIR]      DIR: where the inputs are written (default: a temporary folder)
set -uo pipefail
cd "$(dirname "$0")/.."
dir="${1:-$(mktemp -d)}"
nice -n 10 dotnet build -c Release src/Recur.Cli/Recur.Cli.csproj >/dev/null || exit 1
nice -n 10 dotnet build -c Release fuzz/Recur.Fuzz/Recur.Fuzz.csproj >/dev/null || exit 1
recur=(dotnet "$PWD/src/Recur.Cli/bin/Release/net10.0/Recur.Cli.dll")
fuzz=(dotnet "$PWD/fuzz/Recur.Fuzz/bin/Release/net10.0/Recur.Fuzz.dll")
"${fuzz[@]}" hostile "$dir" || exit 1
cd "$dir"

# --out cases: a folder of the user's with a metrics.json, a foreign .partial, the working directory.
mkdir -p mine && echo '{}' >mine/metrics.json && echo thesis >mine/thesis.tex
mkdir -p other.partial && echo data >other.partial/data.csv
mkdir -p work && echo notes >work/notes.txt

small="--epochs 1 --units 4 --quiet"
cases=(
  "--out: a folder with metrics.json and the user's files|${recur[*]} classify --train quote-first.tsv $small --out mine"
  "--out: DIR.partial recur did not start|${recur[*]} classify --train quote-first.tsv $small --out other"
  "--out .: the working directory|cd work && ${recur[*]} classify --train ../quote-first.tsv $small --out ."
  "1 MB .npz inflating to 1 GiB (library)|${fuzz[*]} read npz bomb.npz"
  "1 MB .npz inflating to 1 GiB (Keras import)|${fuzz[*]} read keras bomb.npz"
  ".npz entry with a wrong CRC|${fuzz[*]} read npz bad-crc.npz"
  "NaN in Keras weights|${fuzz[*]} read keras nan.npz"
  "/dev/zero as a safetensors stream|${fuzz[*]} read safetensors /dev/zero"
  "3 KB .recur claiming Embedding(400000000, 4)|${recur[*]} predict --model embedding-400m --text hi"
  "Lstm with 2^30 units (gate rows overflow)|${recur[*]} predict --model lstm-2pow30 --text hi"
  "seed beyond ulong|${recur[*]} predict --model seed-beyond-ulong --text hi"
  "empty layer list|${recur[*]} predict --model no-layers --text hi"
  "input_shape [-1, -1]|${recur[*]} predict --model free-feature-axis --text hi"
  "NaN weights in model.recur|${recur[*]} predict --model nan-weight --text hi"
  "tensor name with a non-ASCII digit (ImportPyTorch)|${fuzz[*]} read pytorch non-ascii-digit.safetensors"
  "task.json: a number where a string belongs|${recur[*]} predict --model task-number-for-string --text hi"
  "task.json: duplicate keys|${recur[*]} predict --model task-duplicate-keys --text hi"
  "task.json: max_length -3|${recur[*]} predict --model task-max-length-negative --text hi"
  "task.json: more labels than outputs|${recur[*]} predict --model task-more-labels --text hi"
  "task.json: vocabulary larger than the embedding|${recur[*]} predict --model task-larger-vocabulary --text hi"
  "task.json: a forecast model beside it|${recur[*]} predict --model task-forecast-model --text hi"
  "task.json: alphabet with a repeated letter|${recur[*]} charlm sample --model charlm-repeated-letter --prime a --length 5"
  "task.json: alphabet longer than the output|${recur[*]} charlm sample --model charlm-longer-alphabet --prime a --length 5"
  "CSV cell: 1 and a million quotes|${recur[*]} forecast --csv quotes.csv --window 1 --out q"
  "CSV cell of 10 MB (the message)|${recur[*]} forecast --csv huge-cell.csv --window 1 --out h"
  "forecast values near 1.7e308|${recur[*]} forecast --csv near-max.csv --window 4 --out m"
  "forecast feature of 3000 categories|${recur[*]} forecast --csv categories.csv --target value --features id --window 4 --out c"
  "invalid UTF-8 (Latin-1 text)|${recur[*]} classify --train latin1.tsv --out l"
  "labels 1, 1.0 and 01|${recur[*]} classify --train labels-spelled.tsv --out s"
  "TSV texts opening with a quote (trains)|${recur[*]} classify --train quote-first.tsv $small --out t"
  "one 2-million-word text (trains, capped at 5000 tokens)|${recur[*]} classify --train two-million-words.tsv $small --out w"
)

echo "| case | exit | stderr lines | peak RSS (MB) | seconds | message |"
echo "|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  name="${c%%|*}"
  cmd="${c#*|}"
  /usr/bin/time -v -o time.txt bash -c "$cmd" >out.txt 2>err.txt
  code=$?
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
  seconds=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$wall")
  lines=$(grep -c . err.txt)
  message=$(head -c 160 err.txt | head -n 1 | sed 's/|/\\|/g')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$code" "$lines" "$((rss / 1024))" "$seconds" "$message"
done
echo
echo "user files after the --out cases: $(cat mine/thesis.tex) $(cat other.partial/data.csv) $(cat work/notes.txt)"
