# Provisioning a fake Jetson Xavier NX on JetPack 5.1.2 (L4T 35.4.1): NodeSource Node 20, gpiod, a TensorRT
# binding, a CSI camera, thermometer and display on I2C bus 8, two voices, fail-open door. One shared cycle.
load 'helpers/common'
load 'helpers/cycle'

setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR"
  make_root xavier
  # The dry run on a provisioned Jetson is orin.bats's.
  CYCLE_RUNS="dry first second" run_cycle --repo "$TEST_REPO" --ort-artifact "$(make_ort_artifact 35.4.1)" --thermometer --display \
    --languages en,yue --fail-mode open --camera csi://0
}

setup() { BASE=$BATS_FILE_TMPDIR; }

@test "xavier-nx: the first run takes exactly these actions" {
  load_run first
  [ "$status" = 0 ]
  assert_equal_text "changed: apt install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod
changed: add the NodeSource signing key /etc/apt/keyrings/nodesource.gpg
changed: create /etc/apt/sources.list.d/nodesource.list
changed: create /etc/apt/preferences.d/mask-gate-nodejs
changed: apt install nodejs (20.x)
changed: create group gpio
changed: create group i2c
changed: create system user maskgate (groups gpio i2c video audio)
changed: create /etc/udev/rules.d/99-mask-gate.rules
changed: create /etc/tmpfiles.d/mask-gate.conf
changed: install the app into /opt/mask-gate from <repo>
changed: lay the TensorRT binding onnxruntime-node-1.30.0-trt.tar.gz over /opt/mask-gate/node_modules/onnxruntime-node
changed: keep onnxruntime-node-1.30.0-trt.tar.gz as /var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-xaviernx-jp51.tar.gz for later installs
changed: create /etc/mask-gate/config.yaml
changed: run one inference on the tensorrt provider (/opt/mask-gate/models/mask-two-stage); builds the engine cache in /var/lib/mask-gate/trt-cache
changed: nvpmodel power mode 2 -> 8 MODE_20W_6CORE
changed: create /etc/systemd/system/mask-gate-clocks.service
changed: enable mask-gate-clocks.service
changed: create /etc/systemd/system/mask-gate.service
changed: create /etc/systemd/journald.conf.d/60-mask-gate.conf
changed: snap install chromium (kiosk browser)
changed: create /usr/local/bin/mask-gate-kiosk
changed: create /etc/xdg/autostart/mask-gate-kiosk.desktop
changed: update /etc/gdm3/custom.conf
changed: enable mask-gate.service
changed: start mask-gate.service (waits for READY=1)" "$(normalized "$(actions)")"
  grep -qx '   Jetson Xavier NX (jetson-xavier-nx), L4T 35.4.1 = JetPack 5.1.2; Ubuntu 20.04, CUDA 11.4, TensorRT 8.5' <<<"$output"
}

@test "xavier-nx: the first run calls exactly these commands" {
  load_run first
  assert_equal_text 'dpkg-query -W -f=${Package} ${Status}\n gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential python3 pkg-config espeak-ng alsa-utils i2c-tools ca-certificates curl gnupg gpiod
apt-get update -q
apt-get install -y -q --no-install-recommends gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod
curl -fsSL -o <root>/etc/apt/keyrings/nodesource.asc https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
gpg --batch --yes --dearmor -o <root>/etc/apt/keyrings/nodesource.gpg <root>/etc/apt/keyrings/nodesource.asc
apt-get update -q
apt-get install -y -q nodejs
node --version
groupadd --system gpio
groupadd --system i2c
useradd --system --user-group --home-dir /var/lib/mask-gate --no-create-home --shell /usr/sbin/nologin --comment mask-gate --groups gpio,i2c,video,audio maskgate
udevadm control --reload-rules
udevadm trigger --action=add --subsystem-match=gpio --subsystem-match=i2c-dev
systemd-tmpfiles --create <root>/etc/tmpfiles.d/mask-gate.conf
npm ci --prefix <root>/opt/mask-gate.new --omit=dev --ignore-scripts --no-audit --no-fund
npm rebuild --prefix <root>/opt/mask-gate.new epoll gstreamer-superficial i2c-bus
node <root>/opt/mask-gate/provisioning/lib/config-check.js <root>/opt/mask-gate <root>/etc/mask-gate/config.yaml
runuser -u maskgate -- env LD_LIBRARY_PATH=/usr/local/cuda/lib64 <root>/usr/bin/node <root>/opt/mask-gate/provisioning/lib/ort-probe.js --app <root>/opt/mask-gate --model <root>/opt/mask-gate/models/mask-two-stage --provider tensorrt --cache <root>/var/lib/mask-gate/trt-cache --fp16 true
node <root>/opt/mask-gate/provisioning/lib/ort-probe.js --app <root>/opt/mask-gate --model <root>/opt/mask-gate/models/mask-two-stage --provider tensorrt --cache <root>/var/lib/mask-gate/trt-cache --fp16 true
nvpmodel -q
nvpmodel -m 8
systemctl daemon-reload
systemctl is-enabled mask-gate-clocks.service
systemctl enable mask-gate-clocks.service
systemctl start mask-gate-clocks.service
systemctl daemon-reload
systemctl restart systemd-journald
snap install chromium
systemctl is-enabled mask-gate.service
systemctl enable mask-gate.service
systemctl is-active --quiet mask-gate.service
systemctl start mask-gate.service' "$(cat "$STUB_LOG")"
}

@test "xavier-nx: the first run writes exactly these files outside the app" {
  assert_equal_text 'f /etc/apt/keyrings/nodesource.gpg
f /etc/apt/preferences.d/mask-gate-nodejs
f /etc/apt/sources.list.d/nodesource.list
f /etc/mask-gate/config.yaml
f /etc/systemd/journald.conf.d/60-mask-gate.conf
f /etc/systemd/system/mask-gate-clocks.service
f /etc/systemd/system/mask-gate.service
f /etc/tmpfiles.d/mask-gate.conf
f /etc/udev/rules.d/99-mask-gate.rules
f /etc/xdg/autostart/mask-gate-kiosk.desktop
f /usr/local/bin/mask-gate-kiosk
f /var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-xaviernx-jp51.tar.gz
f /var/lib/mask-gate/trt-cache/TensorrtExecutionProvider_TRTKernel_graph_0.engine
l /snap/bin/chromium
l /usr/bin/node
l /usr/bin/npm' "$(new_paths "$BASE/fresh.snap" "$BASE/first.snap" | grep -vE ' /(opt/mask-gate|var/lib/mask-gate-provision)/' | grep -v '^d ')"
  assert_equal_text '/etc/gdm3/custom.conf
/etc/group
/etc/passwd' "$(changed_files "$BASE/fresh.snap" "$BASE/first.snap")"
}

@test "xavier-nx: config: gpiod, bus 8 for thermometer and display, fail open, CSI camera, two voices" {
  local conf="$MASK_GATE_ROOT/etc/mask-gate/config.yaml"
  grep -qx '  thermometer: { type: mlx90614, bus: 8, address: 0x5a }' "$conf"
  grep -qx '  display: { type: hd44780-pcf8574, bus: 8, address: 0x27, columns: 16, rows: 2 }' "$conf"
  grep -qx '  languages: \[en, yue\]' "$conf"
  grep -qx '  failMode: open' "$conf"
  run /usr/bin/node "$REPO_ROOT/provisioning/lib/config-check.js" "$MASK_GATE_ROOT/opt/mask-gate" "$conf"
  [ "$status" = 0 ]
  assert_equal_text 'camera_scheme csi
i2c thermometer 8 0x5a
i2c display 8 0x27' "$(sed -n 's/^@ \(camera_scheme\|i2c\) /\1 /p' <<<"$output")"
}

@test "xavier-nx: unit keeps /tmp shared for the CSI camera's Argus socket" {
  local unit="$MASK_GATE_ROOT/etc/systemd/system/mask-gate.service"
  grep -qx 'PrivateTmp=no' "$unit"
  grep -qx 'ProtectKernelTunables=yes' "$unit"
  grep -qx 'ProtectKernelLogs=yes' "$unit"
}

@test "xavier-nx: a second run changes nothing" {
  assert_second_run_changes_nothing
}

@test "xavier-nx: --dry-run on a fresh Jetson changes nothing and announces every action" {
  assert_dry_run_on_fresh_root
}
