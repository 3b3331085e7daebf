#!/usr/bin/env bash
# `npm test`: type-check (including the Electron shell against electron's own .d.ts), lint (including
# the import boundary), then every vitest suite against the real bench, inside a private keyring
# session, then the leak check over the whole run. Ends with one plain line "N passed, N failed"
# (the two static checks and the leak check count as one each)
# so that a run that executed nothing is visible to CI. Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1 FORCE_COLOR=0
mkdir -p test-results
static_passed=0; static_failed=0

if npm run -s typecheck; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); echo "typecheck: FAILED"; fi
if npm run -s lint; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); echo "lint: FAILED"; fi

rm -f test-results/vitest.json
# The run-wide leak check (issue 8 §3, T4): the bench provider writes down every secret it issues
# or receives, the tests record everything the product outputs, and the runner's own output is kept
# too; scripts/check-leaks.mjs then looks for every secret in every output. The folder holds the
# run's (throwaway) secrets: private, and deleted right after the check.
leak_dir=$(mktemp -d "${TMPDIR:-/tmp}/oauth-desktop-leaks.XXXXXX")
chmod 700 "$leak_dir"
trap 'rm -rf "$leak_dir"' EXIT
export OAUTH_DESKTOP_LEAK_DIR="$leak_dir"
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json \
  --outputFile.json=test-results/vitest.json "$@" 2>&1 | tee "$leak_dir/vitest-run.log"
vitest_rc=${PIPESTATUS[0]}
node scripts/check-leaks.mjs "$leak_dir"
leak_rc=$?
rm -rf "$leak_dir"
unset OAUTH_DESKTOP_LEAK_DIR

node scripts/summarize-tests.mjs test-results/vitest.json "$static_passed" "$static_failed" "$vitest_rc" "$leak_rc"
