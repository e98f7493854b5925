# GPU inference: TensorRT onnxruntime-node artifacts (file, URL, checks), building one from source, and the
# proof inference.
load 'helpers/common'

# Most tests start from an Orin provisioned without GPU inference and add it.
setup_file() {
  load 'helpers/common'
  setup_env "$BATS_FILE_TMPDIR/golden"
  make_golden orin --repo "$TEST_REPO" --no-kiosk --skip-gpu
}

setup() {
  use_golden
  : >"$STUB_LOG"
}

provision() { run "$PROVISION" --repo "$TEST_REPO" --no-kiosk "$@"; }

@test "an artifact built on another JetPack line is refused" {
  provision --ort-artifact "$(make_ort_artifact 35.4.1)"
  [ "$status" = 1 ]
  grep -qx "error: $BASE/onnxruntime-node-1.30.0-trt.tar.gz was built on L4T 35.4.1; this Jetson runs L4T 36.4.4 (JetPack 6.2.1): build one for it (--ort-build)" <<<"$output"
  ! grep -q '^systemctl restart mask-gate.service' "$STUB_LOG"
}

@test "an artifact of another onnxruntime version is refused: the binding must match its JavaScript" {
  provision --ort-artifact "$(make_ort_artifact 36.4.4 1.22.0)"
  [ "$status" = 1 ]
  grep -qx "error: $BASE/onnxruntime-node-1.22.0-trt.tar.gz is onnxruntime 1.22.0, the app uses onnxruntime-node 1.30.0: the binding must match its JavaScript" <<<"$output"
}

@test "an artifact without the TensorRT provider library is refused" {
  local art
  art=$(make_ort_artifact 36.4.4)
  tar -czf "$art" -C "$BASE/artifact" ARTIFACT-INFO bin/napi-v6/linux/arm64/onnxruntime_binding.node
  provision --ort-artifact "$art"
  [ "$status" = 1 ]
  grep -qxF "error: $art: no bin/napi-v*/linux/arm64/libonnxruntime_providers_tensorrt.so in it (not a TensorRT build of onnxruntime-node for arm64)" <<<"$output"
}

@test "an artifact URL is downloaded once into /var/cache/mask-gate/ort and its sha256 checked" {
  export STUB_CURL_FILE
  STUB_CURL_FILE=$(make_ort_artifact 36.4.4)
  local sha
  sha=$(sha256sum "$STUB_CURL_FILE" | cut -d' ' -f1)
  provision --ort-artifact https://artifacts.example.com/ort/onnxruntime-node-1.30.0-trt-orin.tar.gz?sig=1 --ort-sha256 "$sha"
  [ "$status" = 0 ]
  grep -qx 'curl -fL --retry 3 -o <root>/var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin.tar.gz.part https://artifacts.example.com/ort/onnxruntime-node-1.30.0-trt-orin.tar.gz?sig=1' "$STUB_LOG"
  [ -f "$MASK_GATE_ROOT/var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin.tar.gz" ]
  : >"$STUB_LOG"
  provision --ort-artifact https://artifacts.example.com/ort/onnxruntime-node-1.30.0-trt-orin.tar.gz?sig=1 --ort-sha256 "$sha"
  [ -z "$(actions)" ]
  ! grep -q '^curl' "$STUB_LOG"
}

@test "a download whose sha256 differs is refused and removed" {
  export STUB_CURL_FILE
  STUB_CURL_FILE=$(make_ort_artifact 36.4.4)
  provision --ort-artifact https://artifacts.example.com/onnxruntime-node-1.30.0-trt.tar.gz --ort-sha256 "$(printf '%064d' 0)"
  [ "$status" = 1 ]
  grep -qx "error: https://artifacts.example.com/onnxruntime-node-1.30.0-trt.tar.gz: sha256 is not $(printf '%064d' 0)" <<<"$output"
  [ ! -e "$MASK_GATE_ROOT/var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt.tar.gz" ]
}

@test "no artifact and no build: a warning, and the gate stays on the CPU" {
  provision
  [ "$status" = 0 ]
  grep -qx 'warning: no TensorRT onnxruntime-node: pass --ort-artifact PATH|URL or --ort-build; until then the detector runs on the CPU (the npm binaries for linux-arm64 are CPU-only)' <<<"$output"
  grep -qx '   nothing to change, 1 warning(s)' <<<"$output"
  [ -z "$(mutating_calls)" ]
}

@test "--ort-build on Orin (JetPack 6.2.1): onnxruntime's build with the facts' flags, then the Node binding; kept and reused" {
  provision --ort-build
  [ "$status" = 0 ]
  local src='<root>/var/cache/mask-gate/ort-build/onnxruntime-1.30.0'
  assert_equal_text "git clone --recursive --depth 1 --branch v1.30.0 https://github.com/microsoft/onnxruntime.git $src
build.sh --config Release --build_shared_lib --parallel --skip_tests --allow_running_as_root --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu --cuda_home /usr/local/cuda --cudnn_home /usr/lib/aarch64-linux-gnu --cmake_extra_defines CMAKE_CUDA_ARCHITECTURES=87
npm ci --prefix $src/js
npm ci --prefix $src/js/common
npm ci --prefix $src/js/node
npm run --prefix $src/js/node build -- --config=Release --arch=arm64 --use_cuda --use_tensorrt --onnxruntime-build-dir=$src/build/Linux/Release" \
    "$(grep -E '^(git|build\.sh|npm (ci|run) --prefix <root>/var)' "$STUB_LOG")"
  grep -qx 'warning: onnxruntime 1.30.0 is tested with TensorRT 10.9; JetPack 6.2.1 has 10.3: the build may fail' <<<"$output"
  [ -f "$MASK_GATE_ROOT/var/cache/mask-gate/ort/onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz" ]
  grep -qx 'changed: lay the TensorRT binding onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz over /opt/mask-gate/node_modules/onnxruntime-node' <<<"$output"
  grep -qx 'provider: tensorrt' <<<"$output"
  : >"$STUB_LOG"
  provision --ort-build
  [ -z "$(actions)" ]
  ! grep -qE '^(git|build\.sh)' "$STUB_LOG"
}

@test "--ort-build on Nano (JetPack 4.6, TensorRT 8.2) is refused before hours of building" {
  rm -rf "$MASK_GATE_ROOT" "$STUB_STATE"
  setup_env
  make_root nano
  run "$PROVISION" --repo "$TEST_REPO" --no-kiosk --node-tarball "$(make_node_tarball)" --ort-build
  [ "$status" = 1 ]
  grep -qx 'error: onnxruntime 1.30.0 needs TensorRT 10.9; JetPack 4.6.1 has TensorRT 8.2. Build on a newer JetPack, or bring a binding built for this one (--ort-artifact)' <<<"$output"
  ! grep -qE '^(git|build\.sh)' "$STUB_LOG"
}

@test "--ort-build with an old cmake is refused with the fix" {
  STUB_CMAKE_VERSION=3.22.1 provision --ort-build
  [ "$status" = 1 ]
  grep -qx "error: building onnxruntime 1.30.0 needs cmake 3.28 or newer (found 3.22.1): python3 -m pip install 'cmake>=3.28'" <<<"$output"
}

@test "a failing TensorRT inference stops provisioning before the service is enabled" {
  STUB_FAIL_node='ort-probe' provision --ort-artifact "$(make_ort_artifact 36.4.4)"
  [ "$status" = 1 ]
  grep -qx 'error: TensorRT inference failed (above). Fix it, or run with --skip-gpu to keep the detector on the CPU' <<<"$output"
  ! grep -q '^systemctl restart mask-gate.service' "$STUB_LOG"
}

@test "an installed binding comes back by itself after an app update, from the copy kept in /var/cache/mask-gate/ort" {
  provision --ort-artifact "$(make_ort_artifact 36.4.4)"
  [ "$status" = 0 ]
  local repo="$BATS_TEST_TMPDIR/repo2"
  cp -a "$TEST_REPO" "$repo"
  echo '// v2' >>"$repo/bin/mask-gate.js"
  run "$PROVISION" --repo "$repo" --no-kiosk
  [ "$status" = 0 ]
  grep -qx 'changed: lay the TensorRT binding onnxruntime-node-1.30.0-trt-orin-jp61.tar.gz over /opt/mask-gate/node_modules/onnxruntime-node' <<<"$output"
  [ "$(cat "$MASK_GATE_ROOT/opt/mask-gate/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node")" = trt ]
  ! grep -q '^warning: no TensorRT' <<<"$output"
}
