# shellcheck shell=bash
# Are the configured header pins set up as GPIOs in the pinmux? Reads the kernel's pin groups from debugfs:
# a pin held by a special function (spi, i2s, pwm, uart...), an output whose driver is off (tristate=1) or an
# input whose receiver is off (enable-input=0) will not work, whatever the app does. Reports and explains;
# it never changes the pinmux (that takes jetson-io or a device-tree overlay, and a reboot).

PINCTRL_DEBUG=/sys/kernel/debug/pinctrl

# PQ.05 -> _pq5, PBB.00 -> _pbb0: the suffix of the pin's group name in the Tegra pinctrl driver.
port_group_suffix() {
  local port=$1 letters num
  letters=${port%%.*}
  num=${port#*.}
  printf '_p%s%d' "$(tr '[:upper:]' '[:lower:]' <<<"${letters#P}")" "$((10#$num))"
}

# The settings of the pin group ending in SUFFIX, as key=value lines (function, tristate, enable-input...).
pin_group_settings() {
  awk -v suf="$1" '
    /^[0-9]+ \(/ {
      name = $2; gsub(/[():]/, "", name)
      cur = length(name) >= length(suf) && substr(name, length(name) - length(suf) + 1) == suf
      if (cur) found = 1
      next
    }
    cur && /^\t/ { sub(/^\t/, ""); gsub(/ /, ""); print }
    END { if (!found) exit 1 }
  ' "${@:2}"
}

check_pinmux() {
  local files=() f entry name pin port kind settings problem problems=()
  for f in "$ROOT$PINCTRL_DEBUG"/*/pinconf-groups; do [ -r "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -eq 0 ]; then
    warn "cannot check the pinmux: $PINCTRL_DEBUG/*/pinconf-groups is not readable (debugfs not mounted?). Check the pins with jetson-io (see below) if the LEDs or relay stay dark."
    pinmux_fix_help
    return 0
  fi
  for entry in "${CFG_OUTPUTS[@]/#/out:}" "${CFG_INPUTS[@]/#/in:}"; do
    kind=${entry%%:*} entry=${entry#*:}
    name=${entry%%=*} pin=${entry#*=}
    if ! port=$(pin_port "$pin"); then
      problems+=("BOARD pin $pin ($name) is not a GPIO on $MODULE_NAME")
      continue
    fi
    if ! settings=$(pin_group_settings "$(port_group_suffix "$port")" "${files[@]}"); then
      problems+=("BOARD pin $pin ($name, $port): no pin group *$(port_group_suffix "$port") in $PINCTRL_DEBUG")
      continue
    fi
    problem=$(pin_problem "$kind" "$settings")
    if [ -n "$problem" ]; then problems+=("BOARD pin $pin ($name, $port): $problem"); fi
  done
  if [ ${#problems[@]} -eq 0 ]; then
    unchanged "pinmux: ${#CFG_OUTPUTS[@]} outputs and ${#CFG_INPUTS[@]} inputs are GPIOs"
    return 0
  fi
  for problem in "${problems[@]}"; do warn "pinmux: $problem"; done
  pinmux_fix_help
}

# Why a pin with these settings would not work as a GPIO of KIND (out|in); nothing when it would.
pin_problem() {
  local kind=$1 settings=$2 func tristate input
  func=$(sed -n 's/^function=//p' <<<"$settings")
  tristate=$(sed -n 's/^tristate=//p' <<<"$settings")
  input=$(sed -n 's/^enable-input=//p' <<<"$settings")
  # NVIDIA's kernels print gpio-input/gpio-output once a line is requested; an unclaimed pin shows a
  # reserved function (rsvdN). Anything else is a special function that owns the pin.
  case $func in
    "" | gpio* | rsvd*) ;;
    *) printf 'in special-function mode (%s)' "$func"; return 0 ;;
  esac
  if [ "$kind" = out ] && [ "$tristate" = 1 ]; then printf 'output driver off (tristate=1)'; return 0; fi
  if [ "$kind" = in ] && [ "$input" = 0 ]; then printf 'input receiver off (enable-input=0)'; return 0; fi
  return 0
}

pinmux_fix_help() {
  info "To make a header pin a GPIO: sudo /opt/nvidia/jetson-io/jetson-io.py -> Configure Jetson 40pin Header"
  info "  -> Configure header pins manually -> clear any function (spi, i2s, pwm, uart...) on the pin -> Save pin"
  info "  changes -> Save and reboot to reconfigure pins. On JetPack 5/6, a pin that shows no function but stays"
  info "  tristated needs a pinmux overlay that sets it to GPIO bidirectional (README.md, Deploy to a Jetson)."
}
