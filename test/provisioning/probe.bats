# The Node helpers provision.sh runs, for real: ort-probe.js (one inference, which provider ran it) on this
# machine's CPU onnxruntime-node, and config-check.js on the app's own validator.
load 'helpers/common'

setup() {
  MODEL_DIR="$BATS_TEST_TMPDIR/model"
  mkdir -p "$MODEL_DIR"
  /usr/bin/node "$REPO_ROOT/test/provisioning/helpers/tiny-model.js" "$MODEL_DIR/tiny.onnx"
  printf '{ "files": [{ "path": "tiny.onnx", "sha256": "%064d" }, { "path": "labels.txt", "sha256": "%064d" }] }\n' 0 0 >"$MODEL_DIR/model.json"
}

probe() { run /usr/bin/node "$REPO_ROOT/provisioning/lib/ort-probe.js" --app "$REPO_ROOT" "$@"; }

@test "ort-probe: one inference on the CPU provider, read back from onnxruntime's profile" {
  probe --model "$MODEL_DIR" --provider cpu
  [ "$status" = 0 ]
  grep -qE '^tiny\.onnx: ran on CPUExecutionProvider \(2 nodes\); [0-9.]+ ms$' <<<"$output"
  [ "${lines[-1]}" = 'provider: cpu' ]
}

@test "ort-probe: tensorrt on a binding without it fails with onnxruntime's reason, not a fallback" {
  probe --model "$MODEL_DIR/tiny.onnx" --provider tensorrt --cache "$BATS_TEST_TMPDIR/cache"
  [ "$status" = 1 ]
  grep -q '^ort-probe: .*TensorRT' <<<"$output"
  ! grep -q '^provider:' <<<"$output"
}

@test "ort-probe: bad arguments and a missing model" {
  probe --model "$MODEL_DIR" --provider gpu
  [ "$status" = 1 ] && [ "$output" = 'ort-probe: --provider: expected tensorrt, cuda or cpu, got gpu' ]
  probe --model "$BATS_TEST_TMPDIR/none" --provider cpu
  [ "$status" = 1 ] && [ "$output" = "ort-probe: no model at $BATS_TEST_TMPDIR/none" ]
}

@test "config-check: the app's validator, then the facts provisioning needs, with defaults filled in" {
  printf 'hardware:\n  driver: gpiod\n  outputs: { buzzer: null }\n  display: { type: hd44780-pcf8574, bus: 7 }\ncamera:\n  source: rtsp://u:p@cam/1\n' >"$BATS_TEST_TMPDIR/c.yaml"
  run /usr/bin/node "$REPO_ROOT/provisioning/lib/config-check.js" "$REPO_ROOT" "$BATS_TEST_TMPDIR/c.yaml"
  [ "$status" = 0 ]
  assert_equal_text "$BATS_TEST_TMPDIR/c.yaml: OK (camera rtsp://***@cam/1, hardware gpiod, fail mode secure)
@ model models/mask-two-stage
@ engine_cache /var/lib/mask-gate/trt-cache
@ fp16 true
@ camera_scheme rtsp
@ dashboard true 8080
@ output greenLed 11
@ output redLed 13
@ output amberLed 15
@ output relay 18
@ input staffButton 29
@ input fireAlarm 31
@ i2c display 7 0x27" "$output"
  printf 'gate:\n  failMode: sometimes\n' >"$BATS_TEST_TMPDIR/bad.yaml"
  run /usr/bin/node "$REPO_ROOT/provisioning/lib/config-check.js" "$REPO_ROOT" "$BATS_TEST_TMPDIR/bad.yaml"
  [ "$status" = 1 ]
  grep -q 'gate.failMode' <<<"$output"
  ! grep -q '^@ ' <<<"$output"
}
