#!/usr/bin/env bash
# provision.sh: from a fresh JetPack to a gate running hands-free. Run it on the Jetson (sudo), or from a
# laptop with --host user@jetson. Safe to run again: each action says "changed" or "unchanged", and a second
# run changes nothing. README.md (Deploy to a Jetson) is the operator's guide.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
umask 022
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"
# shellcheck source=lib/platform.sh
source "$HERE/lib/platform.sh"
# shellcheck source=lib/bundle.sh
source "$HERE/lib/bundle.sh"
# shellcheck source=lib/packages.sh
source "$HERE/lib/packages.sh"
# shellcheck source=lib/user.sh
source "$HERE/lib/user.sh"
# shellcheck source=lib/app.sh
source "$HERE/lib/app.sh"
# shellcheck source=lib/onnxruntime.sh
source "$HERE/lib/onnxruntime.sh"
# shellcheck source=lib/config.sh
source "$HERE/lib/config.sh"
# shellcheck source=lib/pinmux.sh
source "$HERE/lib/pinmux.sh"
# shellcheck source=lib/performance.sh
source "$HERE/lib/performance.sh"
# shellcheck source=lib/service.sh
source "$HERE/lib/service.sh"
# shellcheck source=lib/kiosk.sh
source "$HERE/lib/kiosk.sh"
# shellcheck source=lib/remote.sh
source "$HERE/lib/remote.sh"
# shellcheck source=lib/uninstall.sh
source "$HERE/lib/uninstall.sh"

usage() {
  cat <<'EOF'
usage: provision.sh [options]            on the Jetson, as root
       provision.sh --host USER@JETSON [options]   from a laptop, over ssh

what to install:
  --bundle FILE            offline bundle (npm run bundle -- --arch arm64); default: this repo checkout
  --repo DIR               repo checkout to install from (built: npm ci && npm run build)
  --node-tarball FILE      Node 20 from node-v20.X.Y-linux-arm64.tar.xz (default: the bundle's, else NodeSource apt;
                           JetPack 4.6 needs one built for glibc 2.27)
  --node-apt-source LINE   the apt line for Node 20 (default: NodeSource node_20.x)
  --ort-artifact PATH|URL  TensorRT onnxruntime-node binding for this JetPack (see README.md, Deploy to a Jetson)
  --ort-sha256 HEX         expected sha256 of a downloaded --ort-artifact
  --ort-build              build that binding from source here (hours; kept in /var/cache/mask-gate/ort)
  --skip-gpu               keep the CPU onnxruntime binding

the gate (written to /etc/mask-gate/config.yaml):
  --site-name NAME         default Entrance
  --camera URI             default v4l2:///dev/video0 (csi://0, rtsp://..., file://...)
  --fail-mode secure|open  relay during a fault (default secure)
  --languages LIST         espeak-ng voices, comma-separated (default en; e.g. en,yue)
  --pin NAME=PIN|none      BOARD pin of greenLed redLed amberLed buzzer relay staffButton fireAlarm
                           passageSensor (defaults 11 13 15 16 18 29 31 none); repeatable
  --thermometer            an MLX90614 on the header I2C bus (0x5a)
  --display                an HD44780 display with a PCF8574 backpack on the header I2C bus (0x27)
  --force-config           replace a config edited on site (kept as config.yaml.bak)

the machine:
  --power-mode ID          nvpmodel mode (default: the fastest in /etc/nvpmodel.conf)
  --no-kiosk               no kiosk page on the monitor (removes one set up before)
  --kiosk-user USER        desktop user that logs in automatically (default: the first uid >= 1000)

  --dry-run                print every action, change nothing
  --uninstall              undo all of it; keeps config, event log and engine cache
  --purge                  with --uninstall: remove those too
  -h, --help
EOF
}

# Defaults; the options below override them.
HOST="" BUNDLE="" REPO="" NODE_TARBALL="" NODE_SOURCE="" NODE_APT_SOURCE=$NODESOURCE_LINE
ORT_ARTIFACT="" ORT_SHA256="" ORT_BUILD=0 SKIP_GPU=0
SITE_NAME=Entrance CAMERA=v4l2:///dev/video0 FAIL_MODE=secure LANGUAGES=en THERMOMETER=0 DISPLAY_LCD=0 FORCE_CONFIG=0
POWER_MODE="" KIOSK=1 KIOSK_USER="" UNINSTALL=0 PURGE=0
DRY_TEMP_FILES=()

need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (--help)"; fi; }

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --host) need_value "$@"; HOST=$2; shift ;;
      --bundle) need_value "$@"; BUNDLE=$2; shift ;;
      --repo) need_value "$@"; REPO=$2; shift ;;
      --node-tarball) need_value "$@"; NODE_TARBALL=$2; shift ;;
      --node-apt-source) need_value "$@"; NODE_APT_SOURCE=$2; NODE_SOURCE=nodesource; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --ort-artifact) need_value "$@"; ORT_ARTIFACT=$2; shift ;;
      --ort-sha256) need_value "$@"; ORT_SHA256=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --ort-build) ORT_BUILD=1; REMOTE_ARGS+=("$1") ;;
      --skip-gpu) SKIP_GPU=1; REMOTE_ARGS+=("$1") ;;
      --site-name) need_value "$@"; SITE_NAME=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --camera) need_value "$@"; CAMERA=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --fail-mode) need_value "$@"; FAIL_MODE=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --languages) need_value "$@"; LANGUAGES=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --pin) need_value "$@"; set_pin "$2"; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --thermometer) THERMOMETER=1; REMOTE_ARGS+=("$1") ;;
      --display) DISPLAY_LCD=1; REMOTE_ARGS+=("$1") ;;
      --force-config) FORCE_CONFIG=1; REMOTE_ARGS+=("$1") ;;
      --power-mode) need_value "$@"; POWER_MODE=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --no-kiosk) KIOSK=0; REMOTE_ARGS+=("$1") ;;
      --kiosk-user) need_value "$@"; KIOSK_USER=$2; REMOTE_ARGS+=("$1" "$2"); shift ;;
      --dry-run) DRY_RUN=1; REMOTE_ARGS+=("$1") ;;
      --uninstall) UNINSTALL=1; REMOTE_ARGS+=("$1") ;;
      --purge) PURGE=1; REMOTE_ARGS+=("$1") ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option '$1' (--help lists them)" ;;
    esac
    shift
  done
  [ -z "$BUNDLE" ] || [ -z "$REPO" ] || die "--bundle and --repo: pick one"
  [ "$ORT_BUILD" = 0 ] || [ -z "$ORT_ARTIFACT" ] || die "--ort-build and --ort-artifact: pick one"
  [ "$SKIP_GPU" = 0 ] || { [ "$ORT_BUILD" = 0 ] && [ -z "$ORT_ARTIFACT" ]; } || die "--skip-gpu with --ort-build or --ort-artifact: pick one"
  [ "$PURGE" = 0 ] || [ "$UNINSTALL" = 1 ] || die "--purge goes with --uninstall"
  [[ $POWER_MODE =~ ^[0-9]*$ ]] || die "--power-mode: expected a number, got '$POWER_MODE'"
  [[ $ORT_SHA256 =~ ^([0-9a-f]{64})?$ ]] || die "--ort-sha256: expected 64 lowercase hex digits"
  if [ -z "$BUNDLE" ] && [ -z "$REPO" ]; then REPO=$(cd "$HERE/.." && pwd); fi
}

cleanup() {
  local f
  for f in ${DRY_TEMP_FILES[@]+"${DRY_TEMP_FILES[@]}"} "$BUNDLE_TMP"; do [ -n "$f" ] && rm -rf -- "$f"; done
  return 0
}

provision() {
  step "platform"
  detect_platform
  check_options_for_board
  [ -n "$NODE_SOURCE" ] || NODE_SOURCE=$NODE_SOURCE_DEFAULT
  [ -z "$BUNDLE" ] || open_bundle

  step "packages"
  install_apt_packages
  install_node

  step "service user and devices"
  ensure_service_user
  ensure_udev_rules
  ensure_data_dirs

  step "app"
  install_app

  step "GPU inference"
  setup_gpu_inference

  step "config"
  write_config
  check_config
  verify_gpu_inference_step

  step "pinmux"
  check_pinmux

  step "performance"
  set_power_mode
  install_clocks_unit

  step "service"
  install_service_unit

  step "kiosk"
  setup_kiosk

  step "start"
  start_service
}

# The TensorRT proof needs the config (model, engine cache), so it runs after it; reported under GPU.
verify_gpu_inference_step() {
  [ "$SKIP_GPU" = 1 ] && return 0
  step "GPU inference check"
  verify_gpu_inference
}

main() {
  parse_args "$@"
  trap cleanup EXIT
  if [ -n "$HOST" ]; then
    [ -n "$NODE_TARBALL" ] && remote_add_file --node-tarball "$NODE_TARBALL"
    case $ORT_ARTIFACT in
      "") ;;
      http://* | https://*) REMOTE_ARGS+=(--ort-artifact "$ORT_ARTIFACT") ;;
      *) remote_add_file --ort-artifact "$ORT_ARTIFACT" ;;
    esac
    run_remote "$HOST"
    return
  fi
  if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then die "run as root: sudo $0 $*"; fi
  [ "$UNINSTALL" = 1 ] || check_app_source
  if [ "$UNINSTALL" = 1 ]; then
    uninstall
  else
    provision
  fi
  step "done"
  if is_dry; then
    info "dry run: $CHANGES action(s) would be taken, nothing was changed"
  elif [ "$CHANGES" = 0 ]; then
    info "nothing to change, $WARNINGS warning(s)"
  else
    info "$CHANGES change(s), $WARNINGS warning(s)"
  fi
}

main "$@"
