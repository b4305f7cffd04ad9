# Shared by ops/test.sh and ops/faults.sh (sourced): the fault table and the pass/fail count of a results folder.

# print_fault_table FILE TITLE: the fault suite's rows as a table (case / expected / observed / OK), if any.
print_fault_table() {
  [ -s "$1" ] || return 0
  echo; echo "$2"
  { printf 'CASE\tEXPECTED\tOBSERVED\tOK\n'; cat "$1"; } | if command -v column >/dev/null; then column -t -s $'\t'; else cat; fi
}

# count_results DIR: sets $passed and $failed from every .trx under DIR (dotnet test's own summary is per project).
count_results() {
  passed=0; failed=0
  local trx counters p f
  for trx in $(find "$1" -name '*.trx'); do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  done
}

# print_failed_tests DIR: the name of every failed test under DIR, so that the tail of a CI log says which.
print_failed_tests() {
  local names
  names=$(find "$1" -name '*.trx' -exec grep -ho '<UnitTestResult [^>]*outcome="Failed"[^>]*>' {} + 2>/dev/null \
    | sed -n 's/.* testName="\([^"]*\)".*/\1/p' | sort -u)
  [ -n "$names" ] || return 0
  echo; echo "Failed tests:"; sed 's/^/  /' <<<"$names"
}
