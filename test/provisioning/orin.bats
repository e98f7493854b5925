# Provisioning a fake Jetson Orin Nano on JetPack 6.2.1 (L4T 36.4.4): NodeSource Node 20, a TensorRT binding
# from --ort-artifact, the default pins. One cycle (dry run, run, run again, dry run) is shared by the tests.
load 'helpers/common'
load 'helpers/cycle'

setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR"
  make_root orin
  export ARTIFACT
  ARTIFACT=$(make_ort_artifact 36.4.4)
  run_cycle --repo "$TEST_REPO" --ort-artifact "$ARTIFACT"
}

setup() { BASE=$BATS_FILE_TMPDIR; }

@test "orin: the first run takes exactly these actions" {
  load_run first
  [ "$status" = 0 ]
  assert_equal_text "changed: apt install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod
changed: add the NodeSource signing key /etc/apt/keyrings/nodesource.gpg
changed: create /etc/apt/sources.list.d/nodesource.list
changed: create /etc/apt/preferences.d/mask-gate-nodejs
changed: apt install nodejs (20.x)
changed: create system user maskgate (groups gpio i2c video audio)
changed: create /etc/udev/rules.d/99-mask-gate.rules
changed: create /etc/tmpfiles.d/mask-gate.conf
changed: install the app into /opt/mask-gate from <repo>
changed: lay the TensorRT binding onnxruntime-node-1.30.0-trt.tar.gz over /opt/mask-gate/node_modules/onnxruntime-node
changed: keep onnxruntime-node-1.30.0-trt.tar.gz as /var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz for later installs
changed: create /etc/mask-gate/config.yaml
changed: run one inference on the tensorrt provider (/opt/mask-gate/models/mask-two-stage); builds the engine cache in /var/lib/mask-gate/trt-cache
changed: nvpmodel power mode 0 -> 2 MAXN_SUPER
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
  grep -qx '   Jetson Orin Nano (jetson-orin), L4T 36.4.4 = JetPack 6.2.1; Ubuntu 22.04, CUDA 12.6, TensorRT 10.3' <<<"$output"
  grep -q 'JetPack 6.2.1 can let a released GPIO line drift high' <<<"$output"
  grep -qx 'provider: tensorrt' <<<"$output"
}

@test "orin: the first run calls exactly these commands" {
  load_run first
  assert_equal_text 'dpkg-query -W -f=${Package} ${Status}\n gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential python3 pkg-config espeak-ng alsa-utils i2c-tools ca-certificates curl gnupg gpiod
apt-get update -q
apt-get install -y -q --no-install-recommends gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod
curl -fsSL -o <root>/etc/apt/keyrings/nodesource.asc https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
gpg --batch --yes --dearmor -o <root>/etc/apt/keyrings/nodesource.gpg <root>/etc/apt/keyrings/nodesource.asc
apt-get update -q
apt-get install -y -q nodejs
node --version
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
nvpmodel -m 2
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

@test "orin: the first run writes exactly these files" {
  assert_equal_text 'd /etc/apt/keyrings
d /etc/apt/preferences.d
d /etc/mask-gate
d /etc/systemd/journald.conf.d
d /etc/tmpfiles.d
d /etc/xdg
d /etc/xdg/autostart
d /opt/mask-gate
d /snap
d /snap/bin
d /usr/local
d /usr/local/bin
d /var/cache
d /var/cache/mask-gate
d /var/cache/mask-gate/ort
d /var/lib/mask-gate
d /var/lib/mask-gate-provision
d /var/lib/mask-gate/trt-cache
f /etc/apt/keyrings/nodesource.gpg
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
f /var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz
f /var/lib/mask-gate-provision/apt-installed
f /var/lib/mask-gate-provision/config.yaml.rendered
f /var/lib/mask-gate-provision/created-dirs
f /var/lib/mask-gate-provision/gdm3-custom.conf.orig
f /var/lib/mask-gate-provision/nvpmodel-before
f /var/lib/mask-gate-provision/snaps-installed
f /var/lib/mask-gate-provision/user-created
f /var/lib/mask-gate/trt-cache/TensorrtExecutionProvider_TRTKernel_graph_0.engine
l /snap/bin/chromium
l /usr/bin/node
l /usr/bin/npm' "$(new_paths "$BASE/fresh.snap" "$BASE/first.snap" | grep -v ' /opt/mask-gate/')"
  assert_equal_text '/etc/gdm3/custom.conf
/etc/group
/etc/passwd' "$(changed_files "$BASE/fresh.snap" "$BASE/first.snap")"
  # The app: the repo's files, production node_modules with the TensorRT binding laid over, install stamps.
  for p in 'f /opt/mask-gate/.install-stamp' 'f /opt/mask-gate/.ort-gpu' 'f /opt/mask-gate/bin/mask-gate.js' \
    'f /opt/mask-gate/package-lock.json' 'f /opt/mask-gate/dist/src/cli/main.js' 'f /opt/mask-gate/models/mask-two-stage/model.onnx' \
    'f /opt/mask-gate/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime_providers_tensorrt.so'; do
    new_paths "$BASE/fresh.snap" "$BASE/first.snap" | grep -qxF "$p" || fail "missing: $p"
  done
  [ "$(cat "$MASK_GATE_ROOT/opt/mask-gate/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node")" = trt ]
  grep -qE '^maskgate:x:[0-9]+:[0-9]+:mask-gate:/var/lib/mask-gate:/usr/sbin/nologin$' "$MASK_GATE_ROOT/etc/passwd"
  local g
  for g in gpio i2c video audio; do
    grep -qE "^$g:x:[0-9]+:(.*,)?maskgate(,.*)?$" "$MASK_GATE_ROOT/etc/group" || fail "maskgate is not in $g"
  done
}

@test "orin: config: gpiod driver, I2C bus 7, default pins, service paths; the app's loader reads it so" {
  local conf="$MASK_GATE_ROOT/etc/mask-gate/config.yaml"
  grep -qx '  driver: gpiod' "$conf"
  grep -qx '  board: jetson-orin' "$conf"
  grep -qx '  # Header pins 3 (SDA) and 5 (SCL) are I2C bus 7 on this module.' "$conf"
  run /usr/bin/node "$REPO_ROOT/provisioning/lib/config-check.js" "$MASK_GATE_ROOT/opt/mask-gate" "$conf"
  [ "$status" = 0 ]
  assert_equal_text 'model /opt/mask-gate/models/mask-two-stage
engine_cache /var/lib/mask-gate/trt-cache
fp16 true
camera_scheme v4l2
dashboard true 8080
output greenLed 11
output redLed 13
output amberLed 15
output buzzer 16
output relay 18
input staffButton 29
input fireAlarm 31' "$(sed -n 's/^@ //p' <<<"$output")"
  grep -qx '  path: /var/lib/mask-gate/events.sqlite' "$conf"
}

@test "orin: unit: notify, watchdog, always restarted, hardened, outputs safe after stop" {
  local unit="$MASK_GATE_ROOT/etc/systemd/system/mask-gate.service" line
  for line in Type=notify NotifyAccess=all WatchdogSec=30s Restart=always User=maskgate ProtectSystem=strict \
    ReadWritePaths=/var/lib/mask-gate StateDirectory=mask-gate NoNewPrivileges=yes ProtectHome=yes PrivateTmp=yes \
    ProtectKernelTunables=yes ProtectKernelLogs=yes LogRateLimitIntervalSec=30s 'SupplementaryGroups=gpio i2c video audio' \
    'ExecStart=/usr/bin/node --max-semi-space-size=4 /opt/mask-gate/bin/mask-gate.js run --config /etc/mask-gate/config.yaml' \
    'ExecStopPost=/usr/bin/node /opt/mask-gate/bin/mask-gate.js safe-outputs --config /etc/mask-gate/config.yaml'; do
    grep -qxF "$line" "$unit" || fail "unit lacks: $line"
  done
  ! grep -q '@' "$unit"
  grep -qx 'ExecStart=/usr/bin/jetson_clocks' "$MASK_GATE_ROOT/etc/systemd/system/mask-gate-clocks.service"
  grep -qx 'SystemMaxUse=200M' "$MASK_GATE_ROOT/etc/systemd/journald.conf.d/60-mask-gate.conf"
  cmp "$REPO_ROOT/provisioning/templates/99-mask-gate.rules" "$MASK_GATE_ROOT/etc/udev/rules.d/99-mask-gate.rules"
}

@test "orin: kiosk: chromium snap, auto-login for the desktop user, page on port 8080" {
  grep -qx 'AutomaticLoginEnable=true' "$MASK_GATE_ROOT/etc/gdm3/custom.conf"
  grep -qx 'AutomaticLogin=nvidia' "$MASK_GATE_ROOT/etc/gdm3/custom.conf"
  [ "$(grep -c AutomaticLogin "$MASK_GATE_ROOT/etc/gdm3/custom.conf")" = 2 ]
  grep -qx 'URL="http://127.0.0.1:8080/kiosk"' "$MASK_GATE_ROOT/usr/local/bin/mask-gate-kiosk"
  grep -qx 'KIOSK_USER="nvidia"' "$MASK_GATE_ROOT/usr/local/bin/mask-gate-kiosk"
  [ -x "$MASK_GATE_ROOT/usr/local/bin/mask-gate-kiosk" ]
}

@test "orin: a second run changes nothing" {
  assert_second_run_changes_nothing
}

@test "orin: --dry-run on a fresh Jetson changes nothing and announces every action" {
  assert_dry_run_on_fresh_root
}

@test "orin: --dry-run on a provisioned Jetson has nothing to do" {
  assert_dry_run_after_install
}
