# shellcheck shell=bash
# Maximum performance: the fastest nvpmodel power mode (kept across boots by nvpmodel itself) and
# jetson_clocks at every boot (a oneshot unit), so detection runs at the camera's frame rate.

NVPMODEL_CONF=/etc/nvpmodel.conf
CLOCKS_UNIT=/etc/systemd/system/mask-gate-clocks.service

# The fastest mode in nvpmodel.conf: MAXN_SUPER, then MAXN, then the most watts (and cores).
fastest_power_mode() {
  awk '
    /< *POWER_MODEL / {
      id = ""; name = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^ID=/) id = substr($i, 4)
        if ($i ~ /^NAME=/) name = substr($i, 6)
      }
      if (id == "") next
      score = 0
      if (name ~ /MAXN_SUPER/) score = 1000000
      else if (name ~ /MAXN/) score = 100000
      else if (match(name, /[0-9]+W/)) {
        score = substr(name, RSTART, RLENGTH - 1) * 100
        if (match(name, /[0-9]+CORE/)) score += substr(name, RSTART, RLENGTH - 4)
      }
      if (best == "" || score > best_score) { best = id; best_score = score; best_name = name }
    }
    END { if (best == "") exit 1; print best, best_name }
  ' "$ROOT$NVPMODEL_CONF"
}

set_power_mode() {
  local target name current
  if [ -n "$POWER_MODE" ]; then
    target=$POWER_MODE name="(--power-mode)"
  else
    [ -r "$ROOT$NVPMODEL_CONF" ] || { warn "no $NVPMODEL_CONF: power mode left as it is"; return 0; }
    read -r target name < <(fastest_power_mode) || { warn "$NVPMODEL_CONF lists no power mode: left as it is"; return 0; }
  fi
  current=$(nvpmodel -q 2>/dev/null | awk 'NF == 1 && $1 ~ /^[0-9]+$/ { m = $1 } END { print m }') || current=""
  if [ "$current" = "$target" ]; then
    unchanged "nvpmodel power mode $target $name"
    return 0
  fi
  changed "nvpmodel power mode ${current:-?} -> $target $name"
  [ -n "$current" ] && state_add nvpmodel-before "$current"
  # nvpmodel asks before a change that needs a reboot (e.g. into MAXN_SUPER): answer no, reboot later.
  act nvpmodel -m "$target" </dev/null || warn "nvpmodel -m $target failed; it may need a reboot first"
}

install_clocks_unit() {
  [ -x "$ROOT/usr/bin/jetson_clocks" ] || warn "/usr/bin/jetson_clocks is missing: clocks will not be locked at boot"
  put_file "$CLOCKS_UNIT" 644 <"$HERE/templates/mask-gate-clocks.service"
  if [ "$PUT_CHANGED" = 1 ]; then act systemctl daemon-reload; fi
  enable_unit mask-gate-clocks.service
  if [ "$PUT_CHANGED" = 1 ]; then act systemctl start mask-gate-clocks.service; fi
  return 0
}
