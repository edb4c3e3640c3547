#!/usr/bin/env bash
# Runs every test project and ends with one plain line "N passed, M failed" summed from the
# TRX results (dotnet test's own summary is per project). Exit code 1 when anything failed.
set -uo pipefail
cd "$(dirname "$0")"
results="$(pwd)/TestResults"
rm -rf "$results"
dotnet build CausalQL.sln -c Release -v quiet -nologo || { echo "0 passed, 1 failed"; exit 1; }
dotnet test CausalQL.sln -c Release --no-build -nologo -v quiet \
  --logger "trx" --results-directory "$results" "$@"
status=$?
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
