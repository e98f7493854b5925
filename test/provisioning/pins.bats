# provisioning/pins.tsv (BOARD pin -> Tegra port, for the pinmux check) is the app's own pin table.
load 'helpers/common'

@test "pins.tsv holds exactly the header GPIOs of hardware/board-pins.ts, with their ports" {
  local ts
  ts=$(cd "$REPO_ROOT" && git ls-files '*board-pins.ts' | grep -v '^test/' | head -n1)
  [ -n "$ts" ] || ts=$(cd "$REPO_ROOT" && find hardware src -name board-pins.ts 2>/dev/null | head -n1)
  [ -n "$ts" ] || fail "board-pins.ts not found"
  local from_ts
  from_ts=$(/usr/bin/node -e "
    const src = require('fs').readFileSync('$REPO_ROOT/$ts', 'utf8');
    const tables = { 'jetson-nano': 'NANO', 'jetson-xavier-nx': 'XAVIER_NX', 'jetson-orin': 'ORIN_NX_NANO' };
    for (const [board, name] of Object.entries(tables)) {
      const m = new RegExp('const ' + name + ' = table\\\\([^\\\\[]*\\\\[([\\\\s\\\\S]*?)\\\\]\\\\);').exec(src);
      if (!m) throw new Error('no table ' + name);
      for (const r of m[1].matchAll(/\[(\d+), (\d+), (\d+|null), '(P[A-Z]+\.\d\d)'/g)) console.log([board, r[1], r[4]].join('\t'));
    }")
  [ "$(wc -l <<<"$from_ts")" = 66 ]
  assert_equal_text "$from_ts" "$(grep -v '^#' "$REPO_ROOT/provisioning/pins.tsv")"
}
