#!/usr/bin/env bash
# Recur's forecaster against the statistical methods forecasters trust (R's forecast package:
# ets, auto.arima; plus naive and seasonal naive) on the same split of every series given:
# one-step-ahead forecasts over the test span, the peers fitted on the rows before it only.
#
#   bash bench/forecast_compare.sh [NAME:CSV:TEST:SEASON[:EXTRA RECUR OPTIONS] ...]
#
# TEST is a row count (48) or a fraction (0.2); SEASON 1 for none. Without arguments: the bundled
# series (airline passengers with the last 48 months and the last 20 % as test, daily minimum
# temperatures with the last 20 %). Prints RMSE, MAE, MASE and sMAPE per method and series, then
# the geometric mean over series of Recur's RMSE divided by the best peer's, and the coverage of the
# test rows by Recur's prediction interval with its mean width (from each run's metrics.json).
# Environment: RECUR (default: dotnet run of src/Recur.Cli), OUT (run directories, default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! Rscript -e 'suppressPackageStartupMessages(library(forecast))' >/dev/null 2>&1; then
  echo "installing R's forecast package (Debian r-cran-forecast)..." >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y r-cran-forecast >&2; else sudo apt-get install -y r-cran-forecast >&2; fi
fi

if [ -z "${RECUR:-}" ]; then
  dotnet build -c Release src/Recur.Cli/Recur.Cli.csproj -v quiet -nologo >&2
  RECUR="src/Recur.Cli/bin/Release/net10.0/recur"
fi
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"

if [ "$#" -eq 0 ]; then
  set -- "airline-last48:data/timeseries_univariate/airline-passengers.csv:48:12" \
         "airline-last20%:data/timeseries_univariate/airline-passengers.csv:0.2:12" \
         "temperatures-last20%:data/timeseries_univariate/daily-min-temperatures.csv:0.2:365"
fi

table="$OUT/table.tsv"
intervals="$OUT/intervals.tsv"
: >"$table"
: >"$intervals"
for spec in "$@"; do
  IFS=':' read -r name csv test season extra <<<"$spec"
  if [[ "$test" == *.* ]]; then recur_test=(--test-fraction "$test"); peer_test=(--test-fraction "$test"); else recur_test=(--test-size "$test"); peer_test=(--test-size "$test"); fi
  run="$OUT/${name//[^A-Za-z0-9_-]/_}"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$RECUR" forecast --csv "$csv" "${recur_test[@]}" --season "$season" --out "$run" --quiet $extra >"$run.log" 2>&1 || { cat "$run.log" >&2; exit 1; }
  echo "$name: recur $(( $(date +%s) - start )) s ($(head -n 1 "$run.log" | cut -c1-60)...)" >&2
  Rscript bench/forecast_peers.R --csv "$csv" "${peer_test[@]}" --season "$season" --recur "$run/predictions.csv" --name "$name" >>"$table"
  python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(sys.argv[2], m["interval_level"], m["test_interval_coverage"], m["test_interval_width"], sep="\t")' \
    "$run/metrics.json" "$name" >>"$intervals"
done

awk -F'\t' '
  BEGIN { printf "%-22s %-11s %5s %10s %10s %8s %8s\n", "series", "method", "n", "RMSE", "MAE", "MASE", "sMAPE" }
  {
    printf "%-22s %-11s %5d %10.4g %10.4g %8.4f %8.3f\n", $1, $2, $3, $4, $5, $6, $7
    if ($2 == "recur") recur[$1] = $4
    else if (!($1 in best) || $4 < best[$1]) { best[$1] = $4; who[$1] = $2 }
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
  }
  END {
    print ""
    logsum = 0
    for (i = 1; i <= n; i++) {
      s = order[i]; r = recur[s] / best[s]; logsum += log(r)
      printf "%-22s recur / best peer (%s) = %.4f\n", s, who[s], r
    }
    printf "geometric mean of recur / best peer over %d series: %.4f\n", n, exp(logsum / n)
  }' "$table"

awk -F'\t' '
  BEGIN { printf "\n%-22s %9s %9s %12s\n", "series", "interval", "coverage", "mean width" }
  { printf "%-22s %8.0f%% %8.1f%% %12.4g\n", $1, 100 * $2, 100 * $3, $4; sum += $3; n++ }
  END { if (n > 0) printf "mean coverage of recur'"'"'s interval over %d series: %.1f %%\n", n, 100 * sum / n }' "$intervals"
