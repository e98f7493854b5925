# Assertions over a run_cycle (dry run, first run, second run, dry run again) shared by the platform tests.
# shellcheck shell=bash disable=SC2154 # status and output come from bats (run) or load_run

assert_second_run_changes_nothing() {
  load_run second
  [ "$status" = 0 ] || fail "second run failed ($status): $output"
  [ -z "$(actions)" ] || fail "second run acted: $(actions)"
  [ -z "$(mutating_calls)" ] || fail "second run changed the system: $(mutating_calls)"
  grep -qx '   nothing to change, 0 warning(s)' <<<"$output" || fail "no 'nothing to change' summary: $output"
  cmp -s "$BASE/first.snap" "$BASE/second.snap" || fail "second run changed files: $(diff "$BASE/first.snap" "$BASE/second.snap")"
}

# A dry run on the fresh root changes nothing, calls nothing that changes the system, and announces every
# action the real run then took, in the same order.
assert_dry_run_on_fresh_root() {
  local first_actions dry_would
  load_run dry
  [ "$status" = 0 ] || fail "dry run failed ($status): $output"
  [ -z "$(mutating_calls)" ] || fail "dry run changed the system: $(mutating_calls)"
  cmp -s "$BASE/fresh.snap" "$BASE/dry.snap" || fail "dry run changed files: $(diff "$BASE/fresh.snap" "$BASE/dry.snap")"
  dry_would=$(grep '^would: ' <<<"$output")
  first_actions=$(grep '^changed: ' "$BASE/first.out" | sed 's/^changed: /would: /')
  # Every real action appears among the dry run's lines, in order (the dry run also prints each command).
  awk 'NR == FNR { want[++n] = $0; next } i < n && $0 == want[i + 1] { i++ } END { if (i < n) { print "missing from the dry run: " want[i + 1]; exit 1 } }' \
    <(printf '%s\n' "$first_actions") <(printf '%s\n' "$dry_would") || fail "dry run does not announce the real run's actions"
  local n
  n=$(grep -c . <<<"$first_actions")
  grep -qx "   dry run: $n action(s) would be taken, nothing was changed" <<<"$output" || fail "dry-run summary is not $n actions: $output"
}

assert_dry_run_after_install() {
  load_run dry-again
  [ "$status" = 0 ] || fail "dry run failed ($status): $output"
  ! grep -q '^would: ' <<<"$output" || fail "dry run on an installed gate would act: $(grep '^would: ' <<<"$output")"
  [ -z "$(mutating_calls)" ] || fail "dry run changed the system: $(mutating_calls)"
  cmp -s "$BASE/second.snap" "$BASE/dry-again.snap" || fail "dry run changed files"
}
