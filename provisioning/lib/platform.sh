# shellcheck shell=bash disable=SC2034 # globals set here are read by the other lib files
# Which Jetson, which JetPack: the module from /proc/device-tree/compatible, the L4T release from
# /etc/nv_tegra_release (or dpkg's nvidia-l4t-core), matched against platforms.conf.

PLATFORMS_FILE=${PLATFORMS_FILE:-$HERE/platforms.conf}

# Sets MODULE (pin-table id, as hardware.board in the config) and MODULE_NAME, or refuses the board.
detect_module() {
  local file="$ROOT/proc/device-tree/compatible" compat
  [ -r "$file" ] || die "not a Jetson: /proc/device-tree/compatible is missing (run this on the Jetson, or from a laptop with --host user@jetson)"
  compat=" $(tr '\0' ' ' <"$file") "
  case $compat in
    *p3767-000[01]*) MODULE=jetson-orin MODULE_NAME="Jetson Orin NX" ;;
    *p3767-*) MODULE=jetson-orin MODULE_NAME="Jetson Orin Nano" ;;
    *p3668-*) MODULE=jetson-xavier-nx MODULE_NAME="Jetson Xavier NX" ;;
    *p3448-* | *p3450-* | *p3541-* | *jetson-nano*) MODULE=jetson-nano MODULE_NAME="Jetson Nano" ;;
    *p3701-*) refuse_module "Jetson AGX Orin (p3701)" ;;
    *p2888-* | *p2972-* | *jetson-xavier\ *) refuse_module "Jetson AGX Xavier (p2888)" ;;
    *p3636-*) refuse_module "Jetson TX2 NX (p3636)" ;;
    *p3310-* | *p3489-* | *p2771-*) refuse_module "Jetson TX2 (p3310)" ;;
    *p2180-* | *p2371-*) refuse_module "Jetson TX1 (p2180)" ;;
    *nvidia,tegra*) refuse_module "this Jetson" ;;
    *) die "not a Jetson: /proc/device-tree/compatible reads \"$(compatible_list)\"" ;;
  esac
}

# The compatible strings as "a, b, c" for messages.
compatible_list() { tr '\0' '\n' <"$ROOT/proc/device-tree/compatible" | awk 'NF { printf "%s%s", sep, $0; sep = ", " }'; }

refuse_module() {
  die "unsupported board: $1 (/proc/device-tree/compatible: $(compatible_list)). mask-gate supports Jetson Nano on JetPack 4.6, Xavier NX on JetPack 5.1 and Orin NX/Nano on JetPack 6: their 40-pin header maps are the ones it knows."
}

# Sets L4T (e.g. 36.4.4) from "# R36 (release), REVISION: 4.4, ..." or from nvidia-l4t-core's version.
detect_l4t() {
  local file="$ROOT/etc/nv_tegra_release" line="" version=""
  if [ -r "$file" ]; then
    line=$(head -n1 "$file")
    if [[ $line =~ R([0-9]+)\ \(release\),\ REVISION:\ ([0-9]+)\.([0-9]+) ]]; then
      L4T="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
      return 0
    fi
  fi
  version=$(dpkg-query -W -f='${Version}' nvidia-l4t-core 2>/dev/null) || version=""
  if [[ $version =~ ^([0-9]+\.[0-9]+\.[0-9]+) ]]; then
    L4T=${BASH_REMATCH[1]}
    return 0
  fi
  if [ -n "$line" ]; then die "cannot read the L4T release from /etc/nv_tegra_release (\"$line\") and dpkg has no nvidia-l4t-core"; fi
  die "cannot tell the L4T release: /etc/nv_tegra_release is missing and dpkg has no nvidia-l4t-core (is this a JetPack install?)"
}

jetpack_of() {
  local l4t=$1 key a b
  while read -r key a b; do
    [ "$key" = jetpack ] && [ "$a" = "$l4t" ] && { printf '%s' "$b"; return 0; }
  done <"$PLATFORMS_FILE"
  return 1
}

# Finds the platforms.conf line for MODULE and L4T; sets PLATFORM_ID and the facts, or refuses the pair.
select_platform() {
  local key id module lmin lmax jp ubuntu sysd cuda trt arch bus driver node kiosk extra found=0 supported="" named
  while read -r key id module lmin lmax jp ubuntu sysd cuda trt arch bus driver node kiosk extra; do
    if [ "$key" != platform ] || [ "$module" != "$MODULE" ]; then continue; fi
    if ver_ge "$L4T" "$lmin" && ver_ge "$lmax" "$L4T"; then
      PLATFORM_ID=$id JETPACK_LINE=$jp UBUNTU=$ubuntu SYSTEMD_VERSION=$sysd CUDA_VERSION=$cuda TRT_VERSION=$trt
      CUDA_ARCH=$arch I2C_BUS=$bus GPIO_DRIVER=$driver NODE_SOURCE_DEFAULT=$node KIOSK_BROWSER=$kiosk
      EXTRA_APT=${extra//,/ }
      [ "$EXTRA_APT" = - ] && EXTRA_APT=""
      found=1
      break
    fi
  done <"$PLATFORMS_FILE"
  JETPACK=$(jetpack_of "$L4T") || JETPACK=""
  if [ "$found" = 0 ]; then
    while read -r key module named; do
      [ "$key" = supported ] && [ "$module" = "$MODULE" ] && supported=$named
    done <"$PLATFORMS_FILE"
    named="L4T $L4T${JETPACK:+ (JetPack $JETPACK)}"
    die "unsupported combination: $MODULE_NAME with $named. Supported for $MODULE_NAME: $supported. Flash a supported JetPack with NVIDIA SDK Manager."
  fi
  [ -n "$JETPACK" ] || JETPACK="$JETPACK_LINE.x"
}

detect_platform() {
  detect_module
  detect_l4t
  select_platform
  info "$MODULE_NAME ($MODULE), L4T $L4T = JetPack $JETPACK; Ubuntu $UBUNTU, CUDA $CUDA_VERSION, TensorRT $TRT_VERSION"
  info "GPIO driver $GPIO_DRIVER, header I2C (pins 3/5) is bus $I2C_BUS, CUDA architecture $CUDA_ARCH"
  if [ "$L4T" = 36.4.4 ]; then
    info "JetPack 6.2.1 can let a released GPIO line drift high (fixed in r36.5): the service drives the outputs to their safe levels when it stops (ExecStopPost)."
  fi
}

# The Tegra port of a BOARD pin on this module (pins.tsv), or nothing when the pin is not a GPIO.
pin_port() {
  local module pin port
  while IFS=$'\t' read -r module pin port; do
    [ "$module" = "$MODULE" ] && [ "$pin" = "$1" ] && { printf '%s' "$port"; return 0; }
  done <"$HERE/pins.tsv"
  return 1
}

gpio_pins_of_module() {
  local module pin port out=""
  while IFS=$'\t' read -r module pin port; do
    [ "$module" = "$MODULE" ] && out+="${out:+, }$pin"
  done <"$HERE/pins.tsv"
  printf '%s' "$out"
}
