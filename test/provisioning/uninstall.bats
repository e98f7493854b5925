# --uninstall undoes provisioning; --purge also removes the site's data.
load 'helpers/common'

setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR/golden"
  local artifact
  artifact=$(make_ort_artifact 36.4.4)
  make_golden orin --repo "$TEST_REPO" --ort-artifact "$artifact"
}

# state_snapshot: what the stubs remember of the system: installed packages, enabled and running units
# (journald, restarted, is running before and after), the power mode.
state_snapshot() {
  (cd "$STUB_STATE" && find dpkg enabled active -type f ! -name systemd-journald 2>/dev/null | LC_ALL=C sort && cat nvpmodel)
}

@test "orin: --uninstall --purge leaves the Jetson exactly as it was" {
  use_golden
  local state_before
  state_before=$(STUB_STATE="$BATS_FILE_TMPDIR/golden/fresh-state" state_snapshot)
  : >"$STUB_LOG"
  run "$PROVISION" --uninstall --purge
  [ "$status" = 0 ]
  assert_equal_text 'systemctl disable --now mask-gate.service
systemctl disable --now mask-gate-clocks.service
systemctl daemon-reload
systemctl restart systemd-journald
snap remove chromium
nvpmodel -m 0
udevadm control --reload-rules
userdel maskgate
apt-get remove -y -q gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod nodejs' "$(cat "$STUB_LOG")"
  [ "$(snapshot)" = "$(cat "$BASE/fresh.snap")" ] || fail "root differs: $(diff "$BASE/fresh.snap" <(snapshot))"
  [ "$(state_snapshot)" = "$state_before" ] || fail "system state differs: $(diff <(echo "$state_before") <(state_snapshot))"
}

@test "nano: --uninstall keeps config, events and engine cache; removes the tarball Node and the group it created" {
  setup_env
  make_root nano
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu --node-tarball "$(make_node_tarball)"
  [ "$status" = 0 ]
  run "$PROVISION" --uninstall
  [ "$status" = 0 ]
  grep -qx '   kept /etc/mask-gate /var/lib/mask-gate (config, event log, engine cache, built onnxruntime): --uninstall --purge removes them' <<<"$output"
  [ -f "$MASK_GATE_ROOT/etc/mask-gate/config.yaml" ] && [ -d "$MASK_GATE_ROOT/var/lib/mask-gate/trt-cache" ]
  for p in /opt/mask-gate /usr/local/lib/nodejs /usr/local/bin/node /etc/systemd/system/mask-gate.service \
    /etc/udev/rules.d/99-mask-gate.rules /usr/local/bin/mask-gate-kiosk /var/lib/mask-gate-provision; do
    [ ! -e "$MASK_GATE_ROOT$p" ] && [ ! -L "$MASK_GATE_ROOT$p" ] || fail "still there: $p"
  done
  grep -qx 'groupdel gpio' "$STUB_LOG"
  ! grep -q '^gpio:' "$MASK_GATE_ROOT/etc/group"
  grep -q '^i2c:' "$MASK_GATE_ROOT/etc/group"
  ! grep -q 'maskgate' "$MASK_GATE_ROOT/etc/group" "$MASK_GATE_ROOT/etc/passwd"
  grep -qx 'AutomaticLogin = user1' <(sed 's/^#  //' "$MASK_GATE_ROOT/etc/gdm3/custom.conf")
}

@test "--uninstall --dry-run changes nothing" {
  use_golden
  local before
  before=$(snapshot)
  : >"$STUB_LOG"
  run "$PROVISION" --uninstall --purge --dry-run
  [ "$status" = 0 ]
  grep -qx 'would: systemctl disable --now mask-gate.service' <<<"$output"
  grep -qx 'would: remove /opt/mask-gate' <<<"$output"
  [ "$(snapshot)" = "$before" ]
  [ -z "$(mutating_calls)" ]
}
