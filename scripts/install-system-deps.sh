#!/usr/bin/env bash
# Debian/Ubuntu packages for building, testing and running mask-gate off a Jetson (CI, a laptop demo).
# The Jetson itself is set up by provisioning/provision.sh.
set -euo pipefail
packages=(
  # native addons (gstreamer-superficial, i2c-bus, epoll) build with node-gyp
  build-essential python3 pkg-config
  # camera pipelines and test media
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
  # the RTSP camera test serves a stream with gst-rtsp-server through python3-gi
  gir1.2-gst-rtsp-server-1.0 python3-gi
  # the character-device GPIO driver drives lines through libgpiod's tools
  gpiod
  # voice prompts: espeak-ng makes the WAVs (tests speak en and yue); aplay / GStreamer's alsasink play them
  espeak-ng alsa-utils gstreamer1.0-alsa
  # MQTT tests start a real broker on a loopback port (mosquitto_passwd comes with it)
  mosquitto
  # dashboard browser tests drive Debian's /usr/bin/chromium with playwright-core (no downloaded browser)
  chromium
  # provisioning tests: bats with stub commands, shellcheck on every script, systemd-analyze verify on the
  # unit, xz for the offline bundle
  bats shellcheck systemd xz-utils
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "system packages already installed"
fi
