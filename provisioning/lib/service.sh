# shellcheck shell=bash
# The systemd unit (notify + watchdog, always restarted, hardened), journald limits, and starting it.

UNIT_NAME=mask-gate.service
UNIT_FILE=/etc/systemd/system/$UNIT_NAME
JOURNALD_CONF=/etc/systemd/journald.conf.d/60-mask-gate.conf
RESTART_NEEDED=0

# Keeps a template line tagged @NNN@ only when this JetPack's systemd is version NNN or newer, so an old
# systemd (237 on JetPack 4.6) does not log "Unknown key" for each.
systemd_lines_for() {
  local version=$1 line
  while IFS= read -r line; do
    if [[ $line =~ ^@([0-9]+)@(.*)$ ]]; then
      [ "$version" -ge "${BASH_REMATCH[1]}" ] && printf '%s\n' "${BASH_REMATCH[2]}"
    else
      printf '%s\n' "$line"
    fi
  done
  return 0
}

render_unit() {
  local private_tmp=yes tunables=yes
  [ "$CFG_CAMERA_SCHEME" = csi ] && private_tmp=no
  [ "$GPIO_DRIVER" = sysfs ] && tunables=no
  render "$HERE/templates/mask-gate.service" NODE_BIN="$NODE_BIN" APP_DIR="$APP_DIR" CONF="$CONF" \
    DATA_DIR="$DATA_DIR" USER="$SERVICE_USER" PRIVATE_TMP="$private_tmp" KERNEL_TUNABLES="$tunables" |
    systemd_lines_for "$SYSTEMD_VERSION"
}

enable_unit() {
  if [ "$(systemctl is-enabled "$1" 2>/dev/null)" = enabled ]; then
    unchanged "$1 enabled"
    return 0
  fi
  changed "enable $1"
  act systemctl enable "$1"
}

install_service_unit() {
  local unit
  unit=$(render_unit)
  put_file "$UNIT_FILE" 644 <<<"$unit"
  if [ "$PUT_CHANGED" = 1 ]; then
    RESTART_NEEDED=1
    act systemctl daemon-reload
  fi
  put_file "$JOURNALD_CONF" 644 <"$HERE/templates/journald.conf"
  if [ "$PUT_CHANGED" = 1 ]; then act systemctl restart systemd-journald; fi
  return 0
}

# Enabled and running the current app and config; restarted only when something it reads changed.
start_service() {
  enable_unit "$UNIT_NAME"
  if ! systemctl is-active --quiet "$UNIT_NAME"; then
    changed "start $UNIT_NAME (waits for READY=1)"
    act systemctl start "$UNIT_NAME" || die "$UNIT_NAME did not start: journalctl -u $UNIT_NAME -n 50"
  elif [ "$RESTART_NEEDED" = 1 ] || [ "$APP_CHANGED" = 1 ] || [ "$ORT_CHANGED" = 1 ] || [ "$CONFIG_CHANGED" = 1 ]; then
    changed "restart $UNIT_NAME (app, config or unit changed)"
    act systemctl restart "$UNIT_NAME" || die "$UNIT_NAME did not restart: journalctl -u $UNIT_NAME -n 50"
  else
    unchanged "$UNIT_NAME running"
  fi
}
