# shellcheck shell=bash
# The doorway monitor: the desktop logs one user in automatically and its session opens the kiosk page
# full-screen (chromium --kiosk), kept open by a small launcher.

KIOSK_LAUNCHER=/usr/local/bin/mask-gate-kiosk
KIOSK_AUTOSTART=/etc/xdg/autostart/mask-gate-kiosk.desktop
GDM_CONF=/etc/gdm3/custom.conf
LIGHTDM_DROPIN=/etc/lightdm/lightdm.conf.d/50-mask-gate-kiosk.conf

# The desktop user JetPack's first-boot setup created (the first uid >= 1000), unless --kiosk-user names one.
kiosk_user() {
  if [ -n "$KIOSK_USER" ]; then
    has_user "$KIOSK_USER" || die "--kiosk-user: no user $KIOSK_USER"
    printf '%s' "$KIOSK_USER"
    return 0
  fi
  awk -F: '$3 >= 1000 && $3 < 60000 && $7 !~ /nologin|false/ { print $1; exit }' "$ROOT/etc/passwd"
}

setup_kiosk() {
  if [ "$KIOSK" = 0 ]; then
    remove_kiosk
    return 0
  fi
  if [ "$CFG_DASHBOARD_ENABLED" != true ]; then
    warn "dashboard.enabled is false in $CONF: no kiosk page to show"
    return 0
  fi
  local user
  user=$(kiosk_user)
  if [ -z "$user" ]; then
    warn "no desktop user for the kiosk (no uid >= 1000): create one with JetPack's setup, or pass --kiosk-user"
    return 0
  fi
  ensure_kiosk_browser
  local launcher
  launcher=$(render "$HERE/templates/mask-gate-kiosk.sh" KIOSK_USER="$user" \
    URL="http://127.0.0.1:$CFG_DASHBOARD_PORT/kiosk" PORT="$CFG_DASHBOARD_PORT")
  put_file "$KIOSK_LAUNCHER" 755 <<<"$launcher"
  put_file "$KIOSK_AUTOSTART" 644 <"$HERE/templates/mask-gate-kiosk.desktop"
  set_autologin "$user"
}

ensure_kiosk_browser() {
  case $KIOSK_BROWSER in
    apt:*) ;; # in the apt package list
    snap:*)
      local name=${KIOSK_BROWSER#snap:}
      if [ -e "$ROOT/snap/bin/$name" ]; then
        unchanged "snap $name"
      else
        changed "snap install $name (kiosk browser)"
        act snap install "$name" || die "snap install $name failed (the kiosk needs a browser; --no-kiosk skips it)"
        state_add snaps-installed "$name"
      fi
      ;;
  esac
}

set_autologin() {
  local user=$1 text
  if [ -f "$ROOT$GDM_CONF" ]; then
    if [ ! -f "$ROOT$PROV_STATE/gdm3-custom.conf.orig" ] && ! is_dry; then
      mkdir -p "$ROOT$PROV_STATE"
      cp -p "$ROOT$GDM_CONF" "$ROOT$PROV_STATE/gdm3-custom.conf.orig"
    fi
    text=$(gdm_with_autologin "$user" <"$ROOT$GDM_CONF")
    put_file "$GDM_CONF" "$(stat -c %a "$ROOT$GDM_CONF")" <<<"$text"
  elif [ -d "$ROOT/etc/lightdm" ]; then
    put_file "$LIGHTDM_DROPIN" 644 <<<"$(printf '[Seat:*]\nautologin-user=%s\nautologin-user-timeout=0' "$user")"
  else
    warn "no GDM or LightDM found: log $user in on the monitor by hand (the kiosk starts with the session)"
  fi
}

# custom.conf with [daemon] AutomaticLoginEnable=true and AutomaticLogin=USER (set, uncommented or added).
gdm_with_autologin() {
  awk -v user="$1" '
    function flush() { if (!done) { print "AutomaticLoginEnable=true"; print "AutomaticLogin=" user; done = 1 } }
    /^\[/ { if (indaemon) flush(); indaemon = ($0 == "[daemon]"); print; next }
    indaemon && /^[#[:space:]]*AutomaticLogin(Enable)?[[:space:]]*=/ { flush(); next }
    { print }
    END { if (indaemon) flush(); if (!done) { print "[daemon]"; print "AutomaticLoginEnable=true"; print "AutomaticLogin=" user } }
  '
}

remove_kiosk() {
  remove_path "$KIOSK_LAUNCHER"
  remove_path "$KIOSK_AUTOSTART"
  remove_path "$LIGHTDM_DROPIN"
  if [ -f "$ROOT$PROV_STATE/gdm3-custom.conf.orig" ]; then
    if ! cmp -s "$ROOT$PROV_STATE/gdm3-custom.conf.orig" "$ROOT$GDM_CONF"; then
      changed "restore $GDM_CONF (auto-login as before provisioning)"
      is_dry || cp -p "$ROOT$PROV_STATE/gdm3-custom.conf.orig" "$ROOT$GDM_CONF"
    fi
    is_dry || rm -f "$ROOT$PROV_STATE/gdm3-custom.conf.orig"
  fi
  return 0
}
