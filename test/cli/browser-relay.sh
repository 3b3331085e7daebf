#!/bin/sh
# Plays the user's $BROWSER for the CLI tests: hands the URL it is given (last argument, or in
# place of %s) to the test's chromium driver by appending it to the file the test watches.
printf '%s\n' "$1" >> "$OAUTH_TEST_BROWSER_RELAY"
