#!/usr/bin/env bash
# Line and branch coverage of the whole test suite (coverlet.collector in the test project,
# ReportGenerator pinned in .config/dotnet-tools.json), summarised per source folder into
# docs/TESTING.md between the "coverage" markers, with every public type no test reaches.
#
#   bash tools/coverage.sh              (about as long as the test suite; niced)
#
# Outputs: coverage/raw/**/coverage.cobertura.xml (coverlet), coverage/report/ (ReportGenerator
# HTML and text summary), and the table in docs/TESTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
dotnet tool restore >/dev/null
rm -rf coverage
nice -n 10 dotnet test -c Release tests/Recur.Tests/Recur.Tests.csproj \
  --collect:"XPlat Code Coverage" --results-directory coverage/raw \
  -- DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Format=cobertura \
     DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Include="[Recur]*,[Recur.Cli]*"
reports=$(find coverage/raw -name coverage.cobertura.xml | paste -sd ';')
[ -n "$reports" ] || { echo "coverage.sh: coverlet wrote no report" >&2; exit 1; }
nice -n 10 dotnet reportgenerator -reports:"$reports" -targetdir:coverage/report -reporttypes:"Html;TextSummary" >/dev/null
python3 "$root/tools/coverage_summary.py" "$reports" "$root/docs/TESTING.md"
cat coverage/report/Summary.txt | head -12
