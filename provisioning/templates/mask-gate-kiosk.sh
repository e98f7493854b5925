#!/usr/bin/env bash
# Written by mask-gate provisioning (provisioning/templates/mask-gate-kiosk.sh): opens the gate's kiosk page
# full-screen on the doorway monitor. The desktop session starts it (/etc/xdg/autostart/mask-gate-kiosk.desktop);
# only the auto-login user's session becomes the kiosk.
set -u
KIOSK_USER="@KIOSK_USER@"
URL="@URL@"
PORT="@PORT@"

[ "$(id -un)" = "$KIOSK_USER" ] || exit 0

# The monitor never blanks or locks.
xset s off -dpms s noblank 2>/dev/null || true
gsettings set org.gnome.desktop.session idle-delay 0 2>/dev/null || true
gsettings set org.gnome.desktop.screensaver lock-enabled false 2>/dev/null || true

find_browser() {
  local b
  for b in chromium-browser chromium /snap/bin/chromium; do
    if command -v "$b" >/dev/null 2>&1; then
      printf '%s' "$b"
      return 0
    fi
  done
  return 1
}

# Wait for the dashboard, then keep a full-screen browser on it; it is started again if it closes.
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 2; done
while true; do
  if ! browser=$(find_browser); then
    echo "mask-gate-kiosk: no chromium installed" >&2
    sleep 30
    continue
  fi
  "$browser" --kiosk --noerrdialogs --disable-infobars --disable-session-crashed-bubble --no-first-run \
    --disable-translate --check-for-update-interval=31536000 --incognito "$URL"
  sleep 2
done
