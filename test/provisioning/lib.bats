# The small pure functions of provisioning/lib, called directly.
load 'helpers/common'

setup() {
  export MASK_GATE_ROOT="$BATS_TEST_TMPDIR/root" TMPDIR="$BATS_TEST_TMPDIR"
  mkdir -p "$MASK_GATE_ROOT"
  HERE="$REPO_ROOT/provisioning"
  # shellcheck source=/dev/null
  for f in common platform pinmux performance kiosk service; do source "$HERE/lib/$f.sh"; done
}

@test "port_group_suffix: Tegra port to pin-group suffix" {
  [ "$(port_group_suffix PQ.05)" = _pq5 ]
  [ "$(port_group_suffix PBB.00)" = _pbb0 ]
  [ "$(port_group_suffix PAC.06)" = _pac6 ]
  [ "$(port_group_suffix PY.03)" = _py3 ]
}

@test "pin_problem: special function, output driver off, input receiver off, or fine" {
  [ "$(pin_problem out $'function=spi1\ntristate=0\nenable-input=1')" = 'in special-function mode (spi1)' ]
  [ "$(pin_problem out $'function=rsvd1\ntristate=1\nenable-input=1')" = 'output driver off (tristate=1)' ]
  [ "$(pin_problem in $'function=rsvd1\ntristate=1\nenable-input=0')" = 'input receiver off (enable-input=0)' ]
  [ -z "$(pin_problem in $'function=rsvd1\ntristate=1\nenable-input=1')" ]
  [ -z "$(pin_problem out $'function=gpio-output\ntristate=0\nenable-input=0')" ]
  [ -z "$(pin_problem out $'pull=0\ntristate=0')" ]
}

@test "pin_group_settings: reads one group's settings out of pinconf-groups" {
  printf '%s\n' 'Pin config settings per pin group' '12 (soc_gpio41_pq5): ' $'\tfunction=rsvd1' $'\ttristate=1' \
    '13 (soc_gpio42_pq55): ' $'\ttristate=0' >"$BATS_TEST_TMPDIR/groups"
  [ "$(pin_group_settings _pq5 "$BATS_TEST_TMPDIR/groups")" = $'function=rsvd1\ntristate=1' ]
  run pin_group_settings _pz0 "$BATS_TEST_TMPDIR/groups"
  [ "$status" = 1 ]
}

@test "fastest_power_mode: MAXN_SUPER, then MAXN, then most watts and cores" {
  NVPMODEL_CONF=/nvp.conf
  printf '< POWER_MODEL ID=0 NAME=15W >\n< POWER_MODEL ID=1 NAME=7W >\n< POWER_MODEL ID=2 NAME=MAXN_SUPER >\n' >"$MASK_GATE_ROOT/nvp.conf"
  [ "$(fastest_power_mode)" = '2 MAXN_SUPER' ]
  printf '< POWER_MODEL ID=0 NAME=MAXN >\n< POWER_MODEL ID=1 NAME=10W >\n< POWER_MODEL ID=3 NAME=25W >\n' >"$MASK_GATE_ROOT/nvp.conf"
  [ "$(fastest_power_mode)" = '0 MAXN' ]
  printf '< POWER_MODEL ID=7 NAME=MODE_20W_4CORE >\n< POWER_MODEL ID=8 NAME=MODE_20W_6CORE >\n< POWER_MODEL ID=2 NAME=MODE_15W_6CORE >\n' >"$MASK_GATE_ROOT/nvp.conf"
  [ "$(fastest_power_mode)" = '8 MODE_20W_6CORE' ]
  printf 'nothing here\n' >"$MASK_GATE_ROOT/nvp.conf"
  run fastest_power_mode
  [ "$status" = 1 ]
}

@test "gdm_with_autologin: sets, uncomments or adds the two keys under [daemon] only" {
  [ "$(printf '[daemon]\n#  AutomaticLoginEnable = true\n#  AutomaticLogin = user1\n\n[security]\n' | gdm_with_autologin kiosk)" = \
    "$(printf '[daemon]\nAutomaticLoginEnable=true\nAutomaticLogin=kiosk\n\n[security]')" ]
  [ "$(printf '[daemon]\nWaylandEnable=false\n[security]\nAutomaticLogin=x\n' | gdm_with_autologin kiosk)" = \
    "$(printf '[daemon]\nWaylandEnable=false\nAutomaticLoginEnable=true\nAutomaticLogin=kiosk\n[security]\nAutomaticLogin=x')" ]
  [ "$(printf '[security]\n' | gdm_with_autologin kiosk)" = "$(printf '[security]\n[daemon]\nAutomaticLoginEnable=true\nAutomaticLogin=kiosk')" ]
}

@test "systemd_lines_for: keeps @NNN@ lines only for systemd NNN or newer" {
  [ "$(printf 'A=1\n@244@B=2\n@240@C=3\n' | systemd_lines_for 237)" = 'A=1' ]
  [ "$(printf 'A=1\n@244@B=2\n@240@C=3\n' | systemd_lines_for 245)" = "$(printf 'A=1\nB=2\nC=3')" ]
}

@test "render: fills placeholders and refuses a template with one left over" {
  printf 'a=@A@ b=@B@\n' >"$BATS_TEST_TMPDIR/t"
  [ "$(render "$BATS_TEST_TMPDIR/t" A=1 B='x y')" = 'a=1 b=x y' ]
  run render "$BATS_TEST_TMPDIR/t" A=1
  [ "$status" = 1 ]
  [ "$output" = "error: template $BATS_TEST_TMPDIR/t: @B@ was not filled in" ]
}

@test "put_file: writes once, then reports unchanged; a new mode alone is a change" {
  run put_file /etc/x.conf 644 <<<"hello"
  [ "$output" = 'changed: create /etc/x.conf' ]
  [ "$(cat "$MASK_GATE_ROOT/etc/x.conf")" = hello ]
  run put_file /etc/x.conf 644 <<<"hello"
  [ "$output" = 'unchanged: /etc/x.conf' ]
  run put_file /etc/x.conf 600 <<<"hello"
  [ "$output" = 'changed: update /etc/x.conf' ]
  [ "$(stat -c %a "$MASK_GATE_ROOT/etc/x.conf")" = 600 ]
  DRY_RUN=1
  run put_file /etc/x.conf 600 <<<"bye"
  [ "$output" = 'would: update /etc/x.conf' ]
  [ "$(cat "$MASK_GATE_ROOT/etc/x.conf")" = hello ]
}

@test "ensure_dir: remembers only the folders it created" {
  mkdir -p "$MASK_GATE_ROOT/etc"
  ensure_dir /etc/a/b
  [ -d "$MASK_GATE_ROOT/etc/a/b" ]
  [ "$(cat "$MASK_GATE_ROOT/var/lib/mask-gate-provision/created-dirs")" = $'/etc/a\n/etc/a/b' ]
}

@test "quote_cmd: plain words as they are, others quoted for a shell" {
  [ "$(quote_cmd apt-get install -y a,b 'x y' "it's" '')" = "apt-get install -y a,b 'x y' 'it'\\''s' ''" ]
}

@test "ver_ge: dotted versions" {
  ver_ge 36.4.4 36.4.0
  ver_ge 35.10.0 35.6.99
  ! ver_ge 32.5.1 32.6.1
  ver_ge 10.3 10.3
}
