# Boards and JetPack versions provision.sh refuses: a clear message, exit 1, nothing touched.
load 'helpers/common'

setup() {
  setup_env
}

# set_board COMPATIBLE NV_TEGRA_RELEASE_LINE: a root that is a fresh Jetson except for these two files.
set_board() {
  make_root orin
  printf '%b' "$1" >"$MASK_GATE_ROOT/proc/device-tree/compatible"
  if [ -n "$2" ]; then printf '%s\n' "$2" >"$MASK_GATE_ROOT/etc/nv_tegra_release"; else rm "$MASK_GATE_ROOT/etc/nv_tegra_release"; fi
}

# refused MESSAGE: provision.sh fails with exactly this error and leaves the root and the system alone.
refused() {
  local before
  before=$(snapshot)
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu
  [ "$status" = 1 ] || fail "expected exit 1, got $status: $output"
  assert_equal_text "error: $1" "$(grep '^error: ' <<<"$output")"
  [ "$(snapshot)" = "$before" ] || fail "the root changed"
  [ -z "$(mutating_calls)" ] || fail "it acted: $(mutating_calls)"
}

R36='# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025'
R35='# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023'
R32='# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022'

@test "not a Jetson: no device tree" {
  set_board '' "$R36"
  rm "$MASK_GATE_ROOT/proc/device-tree/compatible"
  refused 'not a Jetson: /proc/device-tree/compatible is missing (run this on the Jetson, or from a laptop with --host user@jetson)'
}

@test "not a Jetson: another board's device tree" {
  set_board 'raspberrypi,4-model-b\0brcm,bcm2711\0' "$R36"
  refused 'not a Jetson: /proc/device-tree/compatible reads "raspberrypi,4-model-b, brcm,bcm2711"'
}

@test "unsupported board: Jetson AGX Orin" {
  set_board 'nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0' "$R36"
  refused 'unsupported board: Jetson AGX Orin (p3701) (/proc/device-tree/compatible: nvidia,p3737-0000+p3701-0005, nvidia,p3701-0005, nvidia,tegra234). mask-gate supports Jetson Nano on JetPack 4.6, Xavier NX on JetPack 5.1 and Orin NX/Nano on JetPack 6: their 40-pin header maps are the ones it knows.'
}

@test "unsupported board: Jetson AGX Xavier and TX2 NX are named" {
  set_board 'nvidia,p2972-0000\0nvidia,galen\0nvidia,tegra194\0' "$R35"
  run "$PROVISION" --repo "$TEST_REPO"
  [ "$status" = 1 ]
  grep -q '^error: unsupported board: Jetson AGX Xavier (p2888)' <<<"$output"
  set_board 'nvidia,p3509-0000+p3636-0001\0nvidia,tegra186\0' "$R32"
  run "$PROVISION" --repo "$TEST_REPO"
  [ "$status" = 1 ]
  grep -q '^error: unsupported board: Jetson TX2 NX (p3636)' <<<"$output"
}

@test "unsupported combination: Jetson Nano on JetPack 4.5.1" {
  set_board 'nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0' '# R32 (release), REVISION: 5.1, GCID: 27362550, BOARD: t210ref, EABI: aarch64, DATE: Wed Feb 17 23:32:00 UTC 2021'
  refused 'unsupported combination: Jetson Nano with L4T 32.5.1. Supported for Jetson Nano: JetPack 4.6.x (L4T 32.6.1 to 32.7.x). Flash a supported JetPack with NVIDIA SDK Manager.'
}

@test "unsupported combination: Xavier NX on JetPack 4.6.1" {
  set_board 'nvidia,p3509-0000+p3668-0001\0nvidia,jetson-xavier-nx\0nvidia,tegra194\0' "$R32"
  refused 'unsupported combination: Jetson Xavier NX with L4T 32.7.1 (JetPack 4.6.1). Supported for Jetson Xavier NX: JetPack 5.1.x (L4T 35.2.1 to 35.6.x). Flash a supported JetPack with NVIDIA SDK Manager.'
}

@test "unsupported combination: Xavier NX on JetPack 5.0.2" {
  set_board 'nvidia,p3509-0000+p3668-0001\0nvidia,jetson-xavier-nx\0nvidia,tegra194\0' '# R35 (release), REVISION: 1.0, GCID: 31346300, BOARD: t186ref, EABI: aarch64, DATE: Thu Aug 25 18:41:45 UTC 2022'
  refused 'unsupported combination: Jetson Xavier NX with L4T 35.1.0. Supported for Jetson Xavier NX: JetPack 5.1.x (L4T 35.2.1 to 35.6.x). Flash a supported JetPack with NVIDIA SDK Manager.'
}

@test "unsupported combination: Orin NX on JetPack 5.1.2" {
  set_board 'nvidia,p3768-0000+p3767-0000\0nvidia,p3767-0000\0nvidia,tegra234\0' "$R35"
  refused 'unsupported combination: Jetson Orin NX with L4T 35.4.1 (JetPack 5.1.2). Supported for Jetson Orin NX: JetPack 6.x (L4T 36.2 to 36.4.x). Flash a supported JetPack with NVIDIA SDK Manager.'
}

@test "unsupported combination: Orin Nano on a newer L4T than this script knows (R38)" {
  set_board 'nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0' '# R38 (release), REVISION: 2.0, GCID: 1, BOARD: generic, EABI: aarch64, DATE: Mon Sep  1 00:00:00 UTC 2025'
  refused 'unsupported combination: Jetson Orin Nano with L4T 38.2.0. Supported for Jetson Orin Nano: JetPack 6.x (L4T 36.2 to 36.4.x). Flash a supported JetPack with NVIDIA SDK Manager.'
}

@test "no /etc/nv_tegra_release: the L4T release comes from dpkg's nvidia-l4t-core" {
  set_board 'nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0' ''
  echo '36.4.4-20250616085344' >"$STUB_STATE/dpkg/nvidia-l4t-core"
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu --dry-run
  [ "$status" = 0 ]
  grep -qx '   Jetson Orin Nano (jetson-orin), L4T 36.4.4 = JetPack 6.2.1; Ubuntu 22.04, CUDA 12.6, TensorRT 10.3' <<<"$output"
  grep -qx 'dpkg-query -W -f=${Version} nvidia-l4t-core' "$STUB_LOG"
}

@test "no L4T release anywhere" {
  set_board 'nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0' ''
  refused 'cannot tell the L4T release: /etc/nv_tegra_release is missing and dpkg has no nvidia-l4t-core (is this a JetPack install?)'
}
