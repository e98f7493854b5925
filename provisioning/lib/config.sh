# shellcheck shell=bash disable=SC2034 # globals set here are read by the other lib files
# /etc/mask-gate/config.yaml from the template, checked with the app's own validator before the service is
# enabled. A file edited on site is kept: this run's rendering goes to config.yaml.new beside it.

CONF_DIR=/etc/mask-gate
CONF=$CONF_DIR/config.yaml
CONFIG_CHANGED=0
OUTPUT_NAMES=(greenLed redLed amberLed buzzer relay)
INPUT_NAMES=(staffButton fireAlarm passageSensor)
declare -A PINS=([greenLed]=11 [redLed]=13 [amberLed]=15 [buzzer]=16 [relay]=18 [staffButton]=29 [fireAlarm]=31 [passageSensor]=none)

# --pin NAME=N|none
set_pin() {
  local name=${1%%=*} value=${1#*=}
  [[ $1 == *=* ]] || die "--pin: expected NAME=PIN, got '$1'"
  [ -n "${PINS[$name]+x}" ] || die "--pin: unknown name '$name' (expected one of ${OUTPUT_NAMES[*]} ${INPUT_NAMES[*]})"
  [[ $value =~ ^([0-9]+|none)$ ]] || die "--pin $name: expected a BOARD pin number or none, got '$value'"
  PINS[$name]=$value
}

check_options_for_board() {
  local name pin seen=" "
  for name in "${OUTPUT_NAMES[@]}" "${INPUT_NAMES[@]}"; do
    pin=${PINS[$name]}
    [ "$pin" = none ] && continue
    pin_port "$pin" >/dev/null ||
      die "--pin $name=$pin: BOARD pin $pin is not a GPIO on $MODULE_NAME (power, ground, I2C or UART); GPIO pins are $(gpio_pins_of_module)"
    [[ $seen == *" $pin "* ]] && die "--pin $name=$pin: pin $pin is already used by another device"
    seen+="$pin "
  done
  case $FAIL_MODE in secure | open) ;; *) die "--fail-mode: expected secure or open, got '$FAIL_MODE'" ;; esac
  if ! [[ $CAMERA =~ ^(v4l2|csi|rtsps?|file|frames|test):// ]] || [[ $CAMERA == *[\"\\$'\n']* ]]; then
    die "--camera: expected v4l2:///dev/videoN, csi://N, rtsp://..., file://... or frames://..., got '$CAMERA'"
  fi
  local lang
  for lang in ${LANGUAGES//,/ }; do
    [[ $lang =~ ^[a-z]{2,3}(-[a-z0-9]+)*$ ]] || die "--languages: '$lang' is not an espeak-ng voice name (e.g. en, yue, en-gb)"
  done
  if [ -z "$SITE_NAME" ] || [[ $SITE_NAME == *[\"\\$'\n']* ]]; then die "--site-name: expected a name without quotes or backslashes"; fi
}

pin_yaml() { if [ "$1" = none ]; then printf 'null'; else printf '{ pin: %s }' "$1"; fi; }

render_config() {
  local thermo=null display=null
  [ "$THERMOMETER" = 1 ] && thermo="{ type: mlx90614, bus: $I2C_BUS, address: 0x5a }"
  [ "$DISPLAY_LCD" = 1 ] && display="{ type: hd44780-pcf8574, bus: $I2C_BUS, address: 0x27, columns: 16, rows: 2 }"
  render "$HERE/templates/config.yaml.tmpl" \
    MODULE_NAME="$MODULE_NAME" JETPACK="$JETPACK" MODULE="$MODULE" SITE_NAME="$SITE_NAME" CAMERA_SOURCE="$CAMERA" \
    APP_DIR="$APP_DIR" DATA_DIR="$DATA_DIR" FAIL_MODE="$FAIL_MODE" GPIO_DRIVER="$GPIO_DRIVER" I2C_BUS="$I2C_BUS" \
    OUT_GREENLED="$(pin_yaml "${PINS[greenLed]}")" OUT_REDLED="$(pin_yaml "${PINS[redLed]}")" \
    OUT_AMBERLED="$(pin_yaml "${PINS[amberLed]}")" OUT_BUZZER="$(pin_yaml "${PINS[buzzer]}")" \
    OUT_RELAY="$(pin_yaml "${PINS[relay]}")" IN_STAFFBUTTON="$(pin_yaml "${PINS[staffButton]}")" \
    IN_FIREALARM="$(pin_yaml "${PINS[fireAlarm]}")" IN_PASSAGESENSOR="$(pin_yaml "${PINS[passageSensor]}")" \
    THERMOMETER="$thermo" DISPLAY="$display" LANGUAGES="${LANGUAGES//,/, }"
}

# Writes the config (or config.yaml.new beside an edited one); sets CONFIG_FILE_EFFECTIVE to the file the
# service will read, or, in a dry run, to a temporary copy of what it would read.
write_config() {
  local rendered current="$ROOT$CONF" last="$ROOT$PROV_STATE/config.yaml.rendered"
  rendered=$(render_config)
  if [ ! -f "$current" ] || [ "$FORCE_CONFIG" = 1 ] || [ "$(cat "$current")" = "$rendered" ] ||
    { [ -f "$last" ] && cmp -s "$current" "$last"; }; then
    if [ "$FORCE_CONFIG" = 1 ] && [ -f "$current" ] && [ "$(cat "$current")" != "$rendered" ]; then
      put_file "$CONF.bak" 644 <"$current"
    fi
    put_file "$CONF" 644 <<<"$rendered"
    CONFIG_CHANGED=$PUT_CHANGED
    remove_path "$CONF.new"
  else
    put_file "$CONF.new" 644 <<<"$rendered"
    warn "kept $CONF: it was edited on site. This run's settings are in $CONF.new: merge them, or rerun with --force-config (the edited file is kept as config.yaml.bak)"
  fi
  if ! is_dry; then
    mkdir -p "$ROOT$PROV_STATE"
    printf '%s\n' "$rendered" >"$last"
    CONFIG_FILE_EFFECTIVE=$current
  elif [ "$CONFIG_CHANGED" = 1 ]; then
    CONFIG_FILE_EFFECTIVE=$(mktemp "${TMPDIR:-/tmp}/mask-gate-config.XXXXXX")
    printf '%s\n' "$rendered" >"$CONFIG_FILE_EFFECTIVE"
    DRY_TEMP_FILES+=("$CONFIG_FILE_EFFECTIVE")
  else
    CONFIG_FILE_EFFECTIVE=$current
  fi
}

app_cli_ready() { [ -f "$ROOT$APP_DIR/dist/src/cli/main.js" ] && [ -x "$ROOT$NODE_BIN" ]; }

# Validates the config with the app's own validator (the service is enabled only after it passes) and sets
# CFG_*, what later steps need from it, as the app's loader reads it (defaults included). Before the app
# exists (a dry run on a fresh Jetson) the options stand in.
check_config() {
  CFG_MODEL="$APP_DIR/models/mask-two-stage" CFG_ENGINE_CACHE="$DATA_DIR/trt-cache" CFG_FP16=true
  CFG_CAMERA_SCHEME=${CAMERA%%:*} CFG_DASHBOARD_PORT=8080 CFG_DASHBOARD_ENABLED=true
  CFG_OUTPUTS=() CFG_INPUTS=()
  if ! app_cli_ready; then
    is_dry || die "cannot validate $CONF: $APP_DIR or $NODE_BIN is missing"
    printf 'would: check %s with mask-gate run --validate-config\n' "$CONF"
    local name
    for name in "${OUTPUT_NAMES[@]}"; do [ "${PINS[$name]}" = none ] || CFG_OUTPUTS+=("$name=${PINS[$name]}"); done
    for name in "${INPUT_NAMES[@]}"; do [ "${PINS[$name]}" = none ] || CFG_INPUTS+=("$name=${PINS[$name]}"); done
    return 0
  fi
  local out key a b
  out=$("$ROOT$NODE_BIN" "$ROOT$APP_DIR/provisioning/lib/config-check.js" "$ROOT$APP_DIR" "$CONFIG_FILE_EFFECTIVE" 2>&1) || {
    printf '%s\n' "$out" >&2
    die "$CONF is not valid (above): the service was not enabled. Fix it, then run provision.sh again"
  }
  grep -v '^@ ' <<<"$out" || true
  info "config is valid"
  while read -r key a b; do
    case $key in
      model) CFG_MODEL=$a ;;
      engine_cache) CFG_ENGINE_CACHE=$a ;;
      fp16) CFG_FP16=$a ;;
      camera_scheme) CFG_CAMERA_SCHEME=$a ;;
      dashboard) CFG_DASHBOARD_ENABLED=$a CFG_DASHBOARD_PORT=$b ;;
      output) CFG_OUTPUTS+=("$a=$b") ;;
      input) CFG_INPUTS+=("$a=$b") ;;
    esac
  done < <(sed -n 's/^@ //p' <<<"$out")
  # The service runs in its data directory: a relative model path is relative to it.
  [[ $CFG_MODEL == /* ]] || CFG_MODEL="$DATA_DIR/$CFG_MODEL"
  return 0
}
