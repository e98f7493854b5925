# npm run bundle -- --arch arm64 (scripts/bundle.sh), with npm stubbed, and installing from the bundle.
load 'helpers/common'

BUNDLE_SH="$REPO_ROOT/scripts/bundle.sh"

setup() {
  setup_env
  OUT="$BASE/out"
}

make_bundle() {
  run "$BUNDLE_SH" --repo "$TEST_REPO" --arch arm64 --skip-build --out "$OUT" \
    --node-tarball "$(make_node_tarball)" --ort-artifact "$(make_ort_artifact 36.4.4)"
  [ "$status" = 0 ] || fail "bundle failed: $output"
  BUNDLE_FILE="$OUT/mask-gate-0.1.0-linux-arm64.tar.gz"
}

@test "the bundle: app, production node_modules for linux-arm64 only, extras, a manifest that checks out" {
  make_bundle
  grep -qE '^npm ci --prefix .*/mask-gate-bundle\.[A-Za-z0-9]+/mask-gate-0\.1\.0-linux-arm64 --omit=dev --ignore-scripts --cpu=arm64 --os=linux --no-audit --no-fund$' "$STUB_LOG"
  [ "$(tar -tzf "$BUNDLE_FILE" | head -n1)" = mask-gate-0.1.0-linux-arm64/MANIFEST.sha256 ]
  mkdir "$BASE/x" && tar -xzf "$BUNDLE_FILE" -C "$BASE/x"
  local b="$BASE/x/mask-gate-0.1.0-linux-arm64"
  (cd "$b" && sha256sum --quiet -c MANIFEST.sha256)
  [ "$(wc -l <"$b/MANIFEST.sha256")" = "$(cd "$b" && find . -type f ! -name MANIFEST.sha256 | wc -l)" ]
  for f in bin/mask-gate.js dist/src/cli/main.js models/mask-two-stage/model.onnx provisioning/provision.sh package-lock.json README.md \
    node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node \
    node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64.node \
    extras/node-v20.19.5-linux-arm64.tar.xz extras/onnxruntime-node-1.30.0-trt.tar.gz; do
    [ -e "$b/$f" ] || fail "missing: $f"
  done
  assert_equal_text 'linux' "$(ls "$b/node_modules/onnxruntime-node/bin/napi-v6")"
  assert_equal_text 'arm64' "$(ls "$b/node_modules/onnxruntime-node/bin/napi-v6/linux")"
  assert_equal_text 'name=mask-gate-0.1.0-linux-arm64
version=0.1.0
arch=linux-arm64
commit=0123abc
build_on_target=epoll gstreamer-superficial i2c-bus ' "$(cat "$b/BUNDLE-INFO")"
  (cd "$OUT" && sha256sum --quiet -c mask-gate-0.1.0-linux-arm64.tar.gz.sha256)
}

@test "the bundle script: --dry-run makes nothing; bad arguments are refused" {
  run "$BUNDLE_SH" --repo "$TEST_REPO" --arch arm64 --out "$OUT" --dry-run
  [ "$status" = 0 ]
  grep -qx "would: npm --prefix $TEST_REPO run build" <<<"$output"
  grep -qE '^would: npm ci --prefix .*/mask-gate-0.1.0-linux-arm64 --omit=dev --ignore-scripts --cpu=arm64 --os=linux --no-audit --no-fund$' <<<"$output"
  [ ! -e "$OUT" ]
  [ -z "$(grep -v '^npm' "$STUB_LOG")" ] && ! grep -q '^npm' "$STUB_LOG"
  run "$BUNDLE_SH" --repo "$TEST_REPO"
  [ "$status" = 1 ] && [ "$output" = 'bundle: --arch is required (arm64 for a Jetson)' ]
  run "$BUNDLE_SH" --repo "$TEST_REPO" --arch ppc64le
  [ "$status" = 1 ] && [ "$output" = "bundle: --arch: expected arm64 or x64, got 'ppc64le'" ]
  touch "$BASE/node-v18.20.0-linux-arm64.tar.xz"
  run "$BUNDLE_SH" --repo "$TEST_REPO" --arch arm64 --node-tarball "$BASE/node-v18.20.0-linux-arm64.tar.xz"
  [ "$status" = 1 ] && [ "$output" = 'bundle: --node-tarball: expected node-v20.X.Y-linux-arm64.tar.xz, got node-v18.20.0-linux-arm64.tar.xz' ]
}

@test "provision --bundle on Orin: app, Node and the TensorRT binding all from the bundle; a second run unpacks nothing" {
  make_bundle
  make_root orin
  : >"$STUB_LOG"
  run "$PROVISION" --bundle "$BUNDLE_FILE" --no-kiosk
  [ "$status" = 0 ]
  assert_equal_text 'changed: apt install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential pkg-config espeak-ng alsa-utils i2c-tools gpiod
changed: unpack node-v20.19.5-linux-arm64.tar.xz into /usr/local/lib/nodejs
changed: link /usr/local/bin/node -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/node
changed: link /usr/local/bin/npm -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/npm
changed: link /usr/local/bin/npx -> ../lib/nodejs/node-v20.19.5-linux-arm64/bin/npx
changed: create system user maskgate (groups gpio i2c video audio)
changed: create /etc/udev/rules.d/99-mask-gate.rules
changed: create /etc/tmpfiles.d/mask-gate.conf
changed: install the app into /opt/mask-gate from <base>/out/mask-gate-0.1.0-linux-arm64.tar.gz
changed: lay the TensorRT binding onnxruntime-node-1.30.0-trt.tar.gz over /opt/mask-gate/node_modules/onnxruntime-node
changed: keep onnxruntime-node-1.30.0-trt.tar.gz as /var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz for later installs
changed: create /etc/mask-gate/config.yaml
changed: run one inference on the tensorrt provider (/opt/mask-gate/models/mask-two-stage); builds the engine cache in /var/lib/mask-gate/trt-cache
changed: nvpmodel power mode 0 -> 2 MAXN_SUPER
changed: create /etc/systemd/system/mask-gate-clocks.service
changed: enable mask-gate-clocks.service
changed: create /etc/systemd/system/mask-gate.service
changed: create /etc/systemd/journald.conf.d/60-mask-gate.conf
changed: enable mask-gate.service
changed: start mask-gate.service (waits for READY=1)' "$(normalized "$(actions)")"
  grep -qxF "  \$ tar -xzf $BUNDLE_FILE -C $MASK_GATE_ROOT/opt/mask-gate.new --strip-components=1 '--exclude=*/extras'" <<<"$output"
  # No npm ci on the Jetson: node_modules came in the bundle; only the node-gyp addons are built there.
  assert_equal_text 'npm rebuild --prefix <root>/opt/mask-gate.new epoll gstreamer-superficial i2c-bus' "$(grep '^npm' "$STUB_LOG")"
  [ ! -e "$MASK_GATE_ROOT/opt/mask-gate/extras" ]
  grep -qx 'ExecStart=/usr/local/bin/node --max-semi-space-size=4 /opt/mask-gate/bin/mask-gate.js run --config /etc/mask-gate/config.yaml' "$MASK_GATE_ROOT/etc/systemd/system/mask-gate.service"
  run "$PROVISION" --bundle "$BUNDLE_FILE" --no-kiosk
  [ "$status" = 0 ]
  [ -z "$(actions)" ]
  grep -qx 'unchanged: TensorRT onnxruntime-node 1.30.0 (onnxruntime-node-1.30.0-trt.tar.gz)' <<<"$output"
  [ -z "$(ls "$TMPDIR")" ]
}

@test "provision --bundle: a damaged bundle is refused" {
  make_bundle
  make_root orin
  mkdir "$BASE/d" && tar -xzf "$BUNDLE_FILE" -C "$BASE/d"
  echo tampered >>"$BASE/d/mask-gate-0.1.0-linux-arm64/bin/mask-gate.js"
  tar -czf "$BUNDLE_FILE" -C "$BASE/d" mask-gate-0.1.0-linux-arm64
  run "$PROVISION" --bundle "$BUNDLE_FILE" --no-kiosk --skip-gpu
  [ "$status" = 1 ]
  grep -qx "error: $BUNDLE_FILE: files do not match its MANIFEST.sha256 (damaged copy?)" <<<"$output"
  [ ! -e "$MASK_GATE_ROOT/opt/mask-gate" ]
}
