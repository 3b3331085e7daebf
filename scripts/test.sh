#!/usr/bin/env bash
# `npm test`: type-check (including the Electron shell against electron's own .d.ts), lint (including
# the import boundary), then every vitest suite against the real bench, inside a private keyring
# session. Ends with one plain line "N passed, N failed" (the two static checks count as one each)
# so that a run that executed nothing is visible to CI. Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1 FORCE_COLOR=0
mkdir -p test-results
static_passed=0; static_failed=0

if npm run -s typecheck; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); echo "typecheck: FAILED"; fi
if npm run -s lint; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); echo "lint: FAILED"; fi

rm -f test-results/vitest.json
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json \
  --outputFile.json=test-results/vitest.json "$@"
vitest_rc=$?

node scripts/summarize-tests.mjs test-results/vitest.json "$static_passed" "$static_failed" "$vitest_rc"
