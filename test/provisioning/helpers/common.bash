# Shared by the provisioning tests: a fake Jetson root, stub commands on a PATH that holds nothing else
# (so no real system tool can run), a test repo to install from, and snapshots of the root.
# shellcheck shell=bash

REPO_ROOT=${REPO_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
PROVISION="$REPO_ROOT/provisioning/provision.sh"
STUB="$REPO_ROOT/test/provisioning/stubs/stub"
STUBBED=(dpkg-query apt-get systemctl groupadd useradd usermod userdel groupdel udevadm systemd-tmpfiles nvpmodel
  npm runuser snap curl gpg ssh scp git cmake)
# Real tools the scripts may use; everything else is missing from PATH.
REAL_TOOLS=(bash env cat cp mv rm mkdir rmdir ln ls readlink dirname basename chmod stat cmp find sort head tail tr
  cut sed awk grep comm join sha256sum xargs tar gzip xz mktemp id sleep touch getconf du wc date printf true false diff)

# setup_env [BASE]: a fake root, stub state and log under BASE (default: this test's temporary folder). The
# stub PATH and the test repo are made once per file (setup_file may call make_shared) and shared.
setup_env() {
  BASE=${1:-$BATS_TEST_TMPDIR}
  export BASE MASK_GATE_ROOT="$BASE/root" STUB_LOG="$BASE/calls.log" STUB_STATE="$BASE/state" TMPDIR="$BASE/tmp"
  mkdir -p "$MASK_GATE_ROOT" "$STUB_STATE/dpkg" "$TMPDIR"
  : >"$STUB_LOG"
  [ -n "${SHARED:-}" ] || make_shared
  export PATH="$SHARED/bin" TEST_REPO="$SHARED/repo" STUB_REAL_NODE_MODULES="$REPO_ROOT/node_modules"
  export STUB_CACHE="$BATS_RUN_TMPDIR/stub-cache"
}

make_shared() {
  export SHARED="$BATS_FILE_TMPDIR/shared"
  [ -d "$SHARED/bin" ] && return 0
  local bin="$SHARED/bin" t
  mkdir -p "$bin"
  for t in "${STUBBED[@]}"; do ln -s "$STUB" "$bin/$t"; done
  for t in "${REAL_TOOLS[@]}"; do
    command -v "$t" >/dev/null || fail "the tests need $t on PATH"
    ln -s "$(command -v "$t")" "$bin/$t"
  done
  make_test_repo "$SHARED/repo"
}

# The app to install: copies of the real bin/, dist/ (built) and provisioning/ (copies, so that a rebuild
# in the checkout during a test run changes nothing), and a tiny model.
make_test_repo() {
  local repo=$1
  if [ ! -f "$REPO_ROOT/dist/src/cli/main.js" ] || [ ! -f "$REPO_ROOT/dist/src/config/load.js" ]; then
    fail "dist/ is not built: run npm run build first"
  fi
  mkdir -p "$repo/models/mask-two-stage"
  cp -a "$REPO_ROOT/bin" "$REPO_ROOT/dist" "$REPO_ROOT/provisioning" "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$REPO_ROOT/README.md" "$repo/"
  printf '{ "files": [{ "path": "model.onnx", "sha256": "%064d" }] }\n' 0 >"$repo/models/mask-two-stage/model.json"
  echo onnx >"$repo/models/mask-two-stage/model.onnx"
}

# make_root nano|xavier|orin: a fresh JetPack as provision.sh sees it.
make_root() {
  local r=$MASK_GATE_ROOT board=$1 compat l4t module modes mode
  case $board in
    nano) compat='nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0' l4t='# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022'
      module=jetson-nano modes='< POWER_MODEL ID=0 NAME=MAXN >\n< POWER_MODEL ID=1 NAME=5W >' mode=1 ;;
    xavier) compat='nvidia,p3509-0000+p3668-0001\0nvidia,jetson-xavier-nx\0nvidia,tegra194\0' l4t='# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023'
      module=jetson-xavier-nx modes='< POWER_MODEL ID=2 NAME=MODE_15W_6CORE >\n< POWER_MODEL ID=3 NAME=MODE_10W_2CORE >\n< POWER_MODEL ID=7 NAME=MODE_20W_4CORE >\n< POWER_MODEL ID=8 NAME=MODE_20W_6CORE >' mode=2 ;;
    orin) compat='nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0' l4t='# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025'
      module=jetson-orin modes='< POWER_MODEL ID=0 NAME=15W >\n< POWER_MODEL ID=1 NAME=7W >\n< POWER_MODEL ID=2 NAME=MAXN_SUPER >' mode=0 ;;
    *) fail "make_root: unknown board $board" ;;
  esac
  mkdir -p "$r/proc/device-tree" "$r/etc/gdm3" "$r/usr/bin" "$r/opt" "$r/var/lib" "$r/etc/systemd/system" "$r/etc/udev/rules.d" "$r/etc/apt/sources.list.d"
  printf '%b' "$compat" >"$r/proc/device-tree/compatible"
  printf '%s\n' "$l4t" >"$r/etc/nv_tegra_release"
  printf 'root:x:0:0:root:/root:/bin/bash\nnvidia:x:1000:1000:nvidia:/home/nvidia:/bin/bash\n' >"$r/etc/passwd"
  printf 'root:x:0:\naudio:x:29:pulse\nvideo:x:44:nvidia\nnvidia:x:1000:\n' >"$r/etc/group"
  [ "$board" = nano ] && printf 'i2c:x:108:nvidia\n' >>"$r/etc/group"
  [ "$board" = orin ] && printf 'i2c:x:108:nvidia\ngpio:x:999:nvidia\n' >>"$r/etc/group"
  printf '%b\n' "$modes" >"$r/etc/nvpmodel.conf"
  printf '#!/bin/sh\n' >"$r/usr/bin/jetson_clocks"
  chmod 755 "$r/usr/bin/jetson_clocks"
  printf '# GDM configuration storage\n\n[daemon]\n# Uncomment the lines below to turn on automatic login.\n#  AutomaticLoginEnable = true\n#  AutomaticLogin = user1\n\n[security]\n\n[xdmcp]\n' >"$r/etc/gdm3/custom.conf"
  make_pinctrl "$module" 0
  echo "$mode" >"$STUB_STATE/nvpmodel"
  local p
  for p in python3 ca-certificates curl gnupg; do echo 1 >"$STUB_STATE/dpkg/$p"; done
}

# make_pinctrl MODULE TRISTATED_PIN: the debugfs pin groups of every header GPIO, all set up as GPIOs
# except BOARD pin TRISTATED_PIN (0: none), whose output driver is off.
make_pinctrl() {
  local dir="$MASK_GATE_ROOT/sys/kernel/debug/pinctrl/2430000.pinmux"
  mkdir -p "$dir"
  awk -F'\t' -v m="$1" -v bad="$2" '
    BEGIN { print "Pin config settings per pin group"; print "Format: group (name): configs" }
    !/^#/ && $1 == m {
      split($3, p, ".")
      printf "%d (soc_gpio%d_p%s%d): \n\tfunction=rsvd0\n\tpull=0\n\ttristate=%d\n\tenable-input=1\n", i, i, tolower(substr(p[1], 2)), p[2] + 0, ($2 == bad)
      i++
    }' "$REPO_ROOT/provisioning/pins.tsv" >"$dir/pinconf-groups"
}

# A TensorRT onnxruntime-node artifact as --ort-artifact expects it, for L4T $1.
make_ort_artifact() {
  local l4t=$1 version=${2:-1.30.0} out="$BASE/onnxruntime-node-${2:-1.30.0}-trt.tar.gz" d="$BASE/artifact"
  mkdir -p "$d/bin/napi-v6/linux/arm64"
  for f in onnxruntime_binding.node libonnxruntime.so.1 libonnxruntime_providers_shared.so libonnxruntime_providers_tensorrt.so; do
    echo trt >"$d/bin/napi-v6/linux/arm64/$f"
  done
  printf 'ort_version=%s\nl4t=%s\ncuda_arch=87\ntensorrt=10.3\n' "$version" "$l4t" >"$d/ARTIFACT-INFO"
  tar -czf "$out" -C "$d" ARTIFACT-INFO bin
  printf '%s' "$out"
}

# A Node 20 tarball whose node/npm are the stub.
make_node_tarball() {
  local name=node-v20.19.5-linux-arm64 d="$BASE/nodetar"
  mkdir -p "$d/$name/bin" "$d/$name/include/node"
  for t in node npm npx; do ln -s "$STUB" "$d/$name/bin/$t"; done
  tar -cJf "$BASE/$name.tar.xz" -C "$d" "$name"
  printf '%s' "$BASE/$name.tar.xz"
}

# make_golden BOARD ARGS...: (in setup_file) a Jetson of BOARD provisioned once with ARGS, kept with its stub
# state, and the fresh root's snapshot and stub state (fresh.snap, fresh-state), for use_golden to copy.
make_golden() {
  local board=$1
  shift
  setup_env "$BATS_FILE_TMPDIR/golden"
  make_root "$board"
  snapshot >"$BASE/fresh.snap"
  cp -a "$STUB_STATE" "$BASE/fresh-state"
  "$PROVISION" "$@" >"$BASE/golden.out" 2>&1 || fail "golden provisioning failed: $(cat "$BASE/golden.out")"
}

# use_golden: this test starts from the provisioned Jetson of make_golden.
use_golden() {
  local golden="$BATS_FILE_TMPDIR/golden"
  setup_env
  rm -rf "$MASK_GATE_ROOT" "$STUB_STATE"
  cp -a "$golden/root" "$golden/state" "$golden/fresh.snap" "$BASE/"
  cp -a "$golden/calls.log" "$STUB_LOG"
}

# run_cycle ARGS...: on the fresh root, a dry run, a real run, a second real run and a dry run again (only
# the runs named in CYCLE_RUNS, when set); each run's output, status, stub log and the root's snapshot after
# it are kept in $BASE/<name>.*
run_cycle() {
  local name
  snapshot >"$BASE/fresh.snap"
  for name in ${CYCLE_RUNS:-dry first second dry-again}; do
    : >"$STUB_LOG"
    if [[ $name == dry* ]]; then
      "$PROVISION" --dry-run "$@" >"$BASE/$name.out" 2>&1 && echo 0 >"$BASE/$name.status" || echo $? >"$BASE/$name.status"
    else
      "$PROVISION" "$@" >"$BASE/$name.out" 2>&1 && echo 0 >"$BASE/$name.status" || echo $? >"$BASE/$name.status"
    fi
    cp "$STUB_LOG" "$BASE/$name.log"
    snapshot >"$BASE/$name.snap"
  done
}

# load_run NAME: output, status and stub log of one run_cycle run, as a test sees them after `run`.
load_run() {
  # shellcheck disable=SC2034 # output and status are bats' names, read by the test
  output=$(cat "$BASE/$1.out") status=$(cat "$BASE/$1.status")
  cp "$BASE/$1.log" "$STUB_LOG"
}

# Everything in the root: paths, types, modes, link targets, file contents.
snapshot() {
  (cd "$MASK_GATE_ROOT" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# "TYPE /path" of each file (f), link (l) and folder (d) in snapshot file $2 that snapshot file $1 lacks.
new_paths() { comm -13 <(paths_of "$1") <(paths_of "$2"); }
paths_of() { awk '$1 ~ /^\./ && $2 ~ /^[fld]$/ { print $2, substr($1, 2) }' "$1" | LC_ALL=C sort; }
# Files in both snapshots whose content differs.
changed_files() { LC_ALL=C join -j2 <(hashes_of "$1") <(hashes_of "$2") | awk '$2 != $3 { print $1 }'; }
hashes_of() { awk 'length($1) == 64 && $1 ~ /^[0-9a-f]+$/ { print $1, substr($2, 2) }' "$1" | LC_ALL=C sort -k2; }

# A run's text with the fake root as <root>, the test repo as <repo>, the test folder as <base>, so expectations read the same everywhere.
normalized() { sed -e "s|$MASK_GATE_ROOT|<root>|g" -e "s|$TEST_REPO|<repo>|g" -e "s|$BASE|<base>|g" <<<"$1"; }

# Lines of the log, minus read-only queries: what was done to the system.
mutating_calls() {
  grep -vE '^(dpkg-query |systemctl is-(enabled|active) |nvpmodel -q|node (--version|<root>/opt/mask-gate/provisioning/lib/config-check\.js))' "$STUB_LOG" || true
}

# The actions provision.sh reported, in order.
actions() { grep -E '^(changed|would): ' <<<"$output" || true; }

assert_equal_text() { # EXPECTED ACTUAL
  if [ "$1" != "$2" ]; then
    diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2 || true
    fail "expected text differs (diff: expected vs actual above)"
  fi
}

fail() {
  printf '%s\n' "$*" >&2
  return 1
}
