# Operator options and site situations: bad input, an edited or invalid config, the pinmux check, changes
# on a later run, --no-kiosk.
load 'helpers/common'

setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR/golden"
  make_golden orin --repo "$TEST_REPO" --skip-gpu
}

# A fresh Orin for each test, unless it starts from the provisioned one (use_golden).
setup() {
  setup_env
  make_root orin
}

provision() { run "$PROVISION" --repo "$TEST_REPO" --skip-gpu "$@"; }

@test "bad options are refused with a clear message before anything is touched" {
  local before
  before=$(snapshot)
  check() {
    local want=$1
    shift
    run "$PROVISION" --repo "$TEST_REPO" "$@"
    [ "$status" = 1 ] || fail "$*: expected exit 1, got $status"
    [ "$(grep '^error: ' <<<"$output")" = "error: $want" ] || fail "$*: got: $output"
  }
  check "--fail-mode: expected secure or open, got 'sometimes'" --fail-mode sometimes
  check "--pin relay=3: BOARD pin 3 is not a GPIO on Jetson Orin Nano (power, ground, I2C or UART); GPIO pins are 7, 11, 12, 13, 15, 16, 18, 19, 21, 22, 23, 24, 26, 29, 31, 32, 33, 35, 36, 37, 38, 40" --pin relay=3
  check "--pin relay=11: pin 11 is already used by another device" --pin relay=11
  check "--pin: unknown name 'door' (expected one of greenLed redLed amberLed buzzer relay staffButton fireAlarm passageSensor)" --pin door=12
  check "--pin relay: expected a BOARD pin number or none, got 'eighteen'" --pin relay=eighteen
  check "--camera: expected v4l2:///dev/videoN, csi://N, rtsp://..., file://... or frames://..., got 'http://cam/stream'" --camera http://cam/stream
  check "--languages: 'Chinese' is not an espeak-ng voice name (e.g. en, yue, en-gb)" --languages en,Chinese
  check "--purge goes with --uninstall" --purge
  check "unknown option '--fast' (--help lists them)" --fast
  check "--bundle and --repo: pick one" --bundle x.tar.gz
  check "--ort-build and --ort-artifact: pick one" --ort-build --ort-artifact x.tar.gz
  check "--camera needs a value (--help)" --camera
  [ "$(snapshot)" = "$before" ]
  [ -z "$(mutating_calls)" ]
}

@test "--help lists the options" {
  run "$PROVISION" --help
  [ "$status" = 0 ]
  for o in --host --bundle --node-tarball --ort-artifact --ort-build --camera --fail-mode --languages --pin --dry-run --uninstall --purge; do
    grep -qE -- "(^| )$o( |$)" <<<"$output" || fail "--help lacks $o"
  done
}

@test "a config edited on site is kept; this run's goes to config.yaml.new; --force-config replaces it" {
  use_golden
  local conf="$MASK_GATE_ROOT/etc/mask-gate/config.yaml"
  sed -i 's/  name: "Entrance"/  name: "North door"/' "$conf"
  provision --fail-mode open
  [ "$status" = 0 ]
  grep -qx '  name: "North door"' "$conf"
  grep -qx '  failMode: secure' "$conf"
  grep -qx '  failMode: open' "$conf.new"
  grep -qx 'warning: kept /etc/mask-gate/config.yaml: it was edited on site. This run'"'"'s settings are in /etc/mask-gate/config.yaml.new: merge them, or rerun with --force-config (the edited file is kept as config.yaml.bak)' <<<"$output"
  provision --fail-mode open --force-config
  [ "$status" = 0 ]
  grep -qx '  failMode: open' "$conf"
  grep -qx '  name: "North door"' "$conf.bak"
  [ ! -e "$conf.new" ]
  grep -qx 'changed: restart mask-gate.service (app, config or unit changed)' <<<"$output"
}

@test "a changed option on a later run rewrites the config and restarts the service, nothing else" {
  use_golden
  : >"$STUB_LOG"
  provision --fail-mode open --languages en,yue
  [ "$status" = 0 ]
  assert_equal_text 'changed: update /etc/mask-gate/config.yaml
changed: restart mask-gate.service (app, config or unit changed)' "$(actions)"
  assert_equal_text 'systemctl restart mask-gate.service' "$(mutating_calls)"
}

@test "an app update is installed beside the old one, swapped in, and the service restarted" {
  use_golden
  local repo="$BATS_TEST_TMPDIR/repo2"
  cp -a "$TEST_REPO" "$repo"
  echo '// v2' >>"$repo/bin/mask-gate.js"
  : >"$STUB_LOG"
  run "$PROVISION" --repo "$repo" --skip-gpu
  [ "$status" = 0 ]
  assert_equal_text "changed: install the app into /opt/mask-gate from $repo
changed: restart mask-gate.service (app, config or unit changed)" "$(actions)"
  grep -qx "  \$ mv $MASK_GATE_ROOT/opt/mask-gate $MASK_GATE_ROOT/opt/mask-gate.old" <<<"$output"
  grep -qx '// v2' "$MASK_GATE_ROOT/opt/mask-gate/bin/mask-gate.js"
  [ ! -e "$MASK_GATE_ROOT/opt/mask-gate.old" ] && [ ! -e "$MASK_GATE_ROOT/opt/mask-gate.new" ]
}

@test "an invalid config stops provisioning before the service is enabled" {
  mkdir -p "$MASK_GATE_ROOT/etc/mask-gate"
  printf 'gate:\n  relayMode: hold\n' >"$MASK_GATE_ROOT/etc/mask-gate/config.yaml"
  provision
  [ "$status" = 1 ]
  grep -q 'gate.relayMode: expected "pulse" when no hardware.inputs.passageSensor is wired, got "hold"' <<<"$output"
  grep -qx 'error: /etc/mask-gate/config.yaml is not valid (above): the service was not enabled. Fix it, then run provision.sh again' <<<"$output"
  ! grep -q '^systemctl \(enable\|start\|restart\) mask-gate.service' "$STUB_LOG"
  [ ! -e "$MASK_GATE_ROOT/etc/systemd/system/mask-gate.service" ]
}

@test "pinmux: a tristated relay pin is reported with the jetson-io fix; provisioning goes on" {
  use_golden
  make_pinctrl jetson-orin 18
  provision
  [ "$status" = 0 ]
  grep -qx 'warning: pinmux: BOARD pin 18 (relay, PY.03): output driver off (tristate=1)' <<<"$output"
  grep -qx '   To make a header pin a GPIO: sudo /opt/nvidia/jetson-io/jetson-io.py -> Configure Jetson 40pin Header' <<<"$output"
  grep -qx '   nothing to change, 1 warning(s)' <<<"$output"
}

@test "pinmux: a pin held by a special function, and no debugfs at all" {
  sed -i '/_pr4): /{n;s/function=rsvd0/function=spi1/}' "$MASK_GATE_ROOT/sys/kernel/debug/pinctrl/2430000.pinmux/pinconf-groups"
  provision --dry-run
  grep -qx 'warning: pinmux: BOARD pin 11 (greenLed, PR.04): in special-function mode (spi1)' <<<"$output"
  rm -r "$MASK_GATE_ROOT/sys"
  provision --dry-run
  grep -qxF 'warning: cannot check the pinmux: /sys/kernel/debug/pinctrl/*/pinconf-groups is not readable (debugfs not mounted?). Check the pins with jetson-io (see below) if the LEDs or relay stay dark.' <<<"$output"
}

@test "--no-kiosk removes a kiosk set up before and restores the display manager's config" {
  local gdm_before
  gdm_before=$(cat "$MASK_GATE_ROOT/etc/gdm3/custom.conf")
  use_golden
  provision --no-kiosk
  [ "$status" = 0 ]
  assert_equal_text 'changed: remove /usr/local/bin/mask-gate-kiosk
changed: remove /etc/xdg/autostart/mask-gate-kiosk.desktop
changed: restore /etc/gdm3/custom.conf (auto-login as before provisioning)' "$(actions)"
  [ "$(cat "$MASK_GATE_ROOT/etc/gdm3/custom.conf")" = "$gdm_before" ]
  provision --no-kiosk
  [ -z "$(actions)" ]
}
