# systemd-analyze verify on the units provision.sh writes, for each platform's variant. Executables that only
# exist on a Jetson are pointed at ones that exist here; everything else is verified as written.
load 'helpers/common'

setup() {
  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (Debian: apt-get install systemd)"
  HERE="$REPO_ROOT/provisioning"
  # shellcheck source=/dev/null
  for f in common service user config app; do source "$HERE/lib/$f.sh"; done
  NODE_HERE=$(command -v node)
  DIR="$BATS_TEST_TMPDIR/units"
  mkdir -p "$DIR"
}

# verify_clean FILE: systemd-analyze verify passes and has nothing to say (it exits 0 on "Unknown key").
verify_clean() {
  run systemd-analyze verify "$1"
  [ "$status" = 0 ] || fail "verify failed: $output"
  [ -z "$output" ] || fail "verify complained: $output"
}

unit_for() { # GPIO_DRIVER SYSTEMD_VERSION CAMERA_SCHEME NODE_BIN
  GPIO_DRIVER=$1 SYSTEMD_VERSION=$2 CFG_CAMERA_SCHEME=$3 NODE_BIN=$4
  render_unit | sed "s|^\(Exec[A-Za-z]*=\)$NODE_BIN |\1$NODE_HERE |" >"$DIR/mask-gate.service"
}

@test "mask-gate.service verifies clean: Orin/JetPack 6 (gpiod, systemd 249)" {
  unit_for gpiod 249 v4l2 /usr/bin/node
  verify_clean "$DIR/mask-gate.service"
}

@test "mask-gate.service verifies clean: Xavier NX/JetPack 5.1 with a CSI camera (systemd 245)" {
  unit_for gpiod 245 csi /usr/bin/node
  grep -qx 'PrivateTmp=no' "$DIR/mask-gate.service"
  verify_clean "$DIR/mask-gate.service"
}

@test "mask-gate.service verifies clean: Nano/JetPack 4.6 (sysfs, systemd 237, Node from /usr/local)" {
  unit_for sysfs 237 v4l2 /usr/local/bin/node
  verify_clean "$DIR/mask-gate.service"
}

@test "mask-gate-clocks.service verifies clean" {
  sed 's|^ExecStart=/usr/bin/jetson_clocks$|ExecStart=/bin/true|' "$HERE/templates/mask-gate-clocks.service" >"$DIR/mask-gate-clocks.service"
  grep -qx 'ExecStart=/bin/true' "$DIR/mask-gate-clocks.service"
  verify_clean "$DIR/mask-gate-clocks.service"
}

@test "the check itself fails on a misspelt key (so a clean verify means something)" {
  unit_for gpiod 249 v4l2 /usr/bin/node
  sed -i 's/^ProtectSystem=strict$/ProtectSytem=strict/' "$DIR/mask-gate.service"
  run systemd-analyze verify "$DIR/mask-gate.service"
  grep -q "Unknown key 'ProtectSytem'" <<<"$output"
}
