# Provisioning a fake Jetson Nano on JetPack 4.6.1 (L4T 32.7.1, Ubuntu 18.04): Node 20 from a tarball, sysfs
# GPIO, the CPU detector (--skip-gpu), a passage sensor on pin 33 and no buzzer. One shared cycle.
load 'helpers/common'
load 'helpers/cycle'

setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR"
  make_root nano
  # The dry run on a provisioned Jetson is orin.bats's.
  CYCLE_RUNS="dry first second" run_cycle --repo "$TEST_REPO" --node-tarball "$(make_node_tarball)" --skip-gpu --pin passageSensor=33 --pin buzzer=none
}

setup() { BASE=$BATS_FILE_TMPDIR; }

@test "nano: the first run takes exactly these actions" {
  load_run first
  [ "$status" = 0 ]
  assert_equal_text "changed: apt install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools chromium-browser
changed: unpack node-v20.19.5-linux-arm64.tar.xz into /usr/local/lib/nodejs
changed: link /usr/local/bin/node -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/node
changed: link /usr/local/bin/npm -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/npm
changed: link /usr/local/bin/npx -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/npx
changed: create group gpio
changed: create system user maskgate (groups gpio i2c video audio)
changed: create /etc/udev/rules.d/99-mask-gate.rules
changed: create /etc/tmpfiles.d/mask-gate.conf
changed: install the app into /opt/mask-gate from <repo>
changed: create /etc/mask-gate/config.yaml
changed: nvpmodel power mode 1 -> 0 MAXN
changed: create /etc/systemd/system/mask-gate-clocks.service
changed: enable mask-gate-clocks.service
changed: create /etc/systemd/system/mask-gate.service
changed: create /etc/systemd/journald.conf.d/60-mask-gate.conf
changed: create /usr/local/bin/mask-gate-kiosk
changed: create /etc/xdg/autostart/mask-gate-kiosk.desktop
changed: update /etc/gdm3/custom.conf
changed: enable mask-gate.service
changed: start mask-gate.service (waits for READY=1)" "$(normalized "$(actions)")"
  grep -qx '   Jetson Nano (jetson-nano), L4T 32.7.1 = JetPack 4.6.1; Ubuntu 18.04, CUDA 10.2, TensorRT 8.2' <<<"$output"
  grep -qx '   GPIO driver sysfs, header I2C (pins 3/5) is bus 1, CUDA architecture 53' <<<"$output"
  grep -qx '   GPU inference skipped (--skip-gpu): the detector runs on the CPU' <<<"$output"
}

@test "nano: the first run calls exactly these commands" {
  load_run first
  assert_equal_text 'dpkg-query -W -f=${Package} ${Status}\n gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential python3 pkg-config espeak-ng alsa-utils i2c-tools ca-certificates curl gnupg chromium-browser
apt-get update -q
apt-get install -y -q --no-install-recommends gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools chromium-browser
node --version
groupadd --system gpio
useradd --system --user-group --home-dir /var/lib/mask-gate --no-create-home --shell /usr/sbin/nologin --comment mask-gate --groups gpio,i2c,video,audio maskgate
udevadm control --reload-rules
udevadm trigger --action=add --subsystem-match=gpio --subsystem-match=i2c-dev
systemd-tmpfiles --create <root>/etc/tmpfiles.d/mask-gate.conf
npm ci --prefix <root>/opt/mask-gate.new --omit=dev --ignore-scripts --no-audit --no-fund
npm rebuild --prefix <root>/opt/mask-gate.new epoll gstreamer-superficial i2c-bus
node <root>/opt/mask-gate/provisioning/lib/config-check.js <root>/opt/mask-gate <root>/etc/mask-gate/config.yaml
nvpmodel -q
nvpmodel -m 0
systemctl daemon-reload
systemctl is-enabled mask-gate-clocks.service
systemctl enable mask-gate-clocks.service
systemctl start mask-gate-clocks.service
systemctl daemon-reload
systemctl restart systemd-journald
systemctl is-enabled mask-gate.service
systemctl enable mask-gate.service
systemctl is-active --quiet mask-gate.service
systemctl start mask-gate.service' "$(cat "$STUB_LOG")"
}

@test "nano: the first run writes exactly these files" {
  assert_equal_text 'd /etc/mask-gate
d /etc/systemd/journald.conf.d
d /etc/tmpfiles.d
d /etc/xdg
d /etc/xdg/autostart
d /opt/mask-gate
d /usr/local
d /usr/local/bin
d /usr/local/lib
d /usr/local/lib/nodejs
d /usr/local/lib/nodejs/node-v20.19.5-linux-arm64
d /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/bin
d /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/include
d /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/include/node
d /var/lib/mask-gate
d /var/lib/mask-gate-provision
d /var/lib/mask-gate/trt-cache
f /etc/mask-gate/config.yaml
f /etc/systemd/journald.conf.d/60-mask-gate.conf
f /etc/systemd/system/mask-gate-clocks.service
f /etc/systemd/system/mask-gate.service
f /etc/tmpfiles.d/mask-gate.conf
f /etc/udev/rules.d/99-mask-gate.rules
f /etc/xdg/autostart/mask-gate-kiosk.desktop
f /usr/local/bin/mask-gate-kiosk
f /var/lib/mask-gate-provision/apt-installed
f /var/lib/mask-gate-provision/config.yaml.rendered
f /var/lib/mask-gate-provision/created-dirs
f /var/lib/mask-gate-provision/gdm3-custom.conf.orig
f /var/lib/mask-gate-provision/groups-created
f /var/lib/mask-gate-provision/node-dirs
f /var/lib/mask-gate-provision/nvpmodel-before
f /var/lib/mask-gate-provision/user-created
l /usr/local/bin/node
l /usr/local/bin/npm
l /usr/local/bin/npx
l /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/bin/node
l /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/bin/npm
l /usr/local/lib/nodejs/node-v20.19.5-linux-arm64/bin/npx' "$(new_paths "$BASE/fresh.snap" "$BASE/first.snap" | grep -v ' /opt/mask-gate/')"
  # --skip-gpu: the npm binding stays, nothing is laid over it.
  [ ! -e "$MASK_GATE_ROOT/opt/mask-gate/.ort-gpu" ]
  [ "$(cat "$MASK_GATE_ROOT/opt/mask-gate/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node")" = cpu ]
}

@test "nano: config: sysfs driver, I2C bus 1, passage sensor on 33, no buzzer" {
  local conf="$MASK_GATE_ROOT/etc/mask-gate/config.yaml"
  grep -qx '  driver: sysfs' "$conf"
  grep -qx '  board: jetson-nano' "$conf"
  grep -qx '    buzzer: null' "$conf"
  run /usr/bin/node "$REPO_ROOT/provisioning/lib/config-check.js" "$MASK_GATE_ROOT/opt/mask-gate" "$conf"
  [ "$status" = 0 ]
  assert_equal_text 'output greenLed 11
output redLed 13
output amberLed 15
output relay 18
input staffButton 29
input fireAlarm 31
input passageSensor 33' "$(sed -n 's/^@ \(output\|input\) /\1 /p' <<<"$output")"
}

@test "nano: unit for systemd 237: /sys stays writable for sysfs GPIO, no keys 237 does not know, Node from /usr/local" {
  local unit="$MASK_GATE_ROOT/etc/systemd/system/mask-gate.service"
  grep -qx 'ProtectKernelTunables=no' "$unit"
  grep -qx 'ExecStart=/usr/local/bin/node --max-semi-space-size=4 /opt/mask-gate/bin/mask-gate.js run --config /etc/mask-gate/config.yaml' "$unit"
  ! grep -qE '^(ProtectKernelLogs|ProtectHostname|RestrictSUIDSGID|LogRateLimit[A-Za-z]*)=' "$unit"
  grep -qx 'Type=notify' "$unit"
  grep -qx 'WatchdogSec=30s' "$unit"
}

@test "nano: a second run changes nothing" {
  assert_second_run_changes_nothing
}

@test "nano: --dry-run on a fresh Jetson changes nothing and announces every action" {
  assert_dry_run_on_fresh_root
}
