# shellcheck shell=bash
# The service account, its device groups, udev rules for GPIO and I2C, and its data directories.

SERVICE_USER=maskgate
SERVICE_GROUPS=(gpio i2c video audio)
DATA_DIR=/var/lib/mask-gate
UDEV_RULES=/etc/udev/rules.d/99-mask-gate.rules
TMPFILES_CONF=/etc/tmpfiles.d/mask-gate.conf

has_group() { grep -q "^$1:" "$ROOT/etc/group" 2>/dev/null; }
has_user() { grep -q "^$1:" "$ROOT/etc/passwd" 2>/dev/null; }
in_group() {
  local members
  members=$(awk -F: -v g="$2" '$1 == g { print $4 }' "$ROOT/etc/group")
  [[ ,$members, == *",$1,"* ]]
}

ensure_service_user() {
  local g missing=()
  for g in "${SERVICE_GROUPS[@]}"; do
    if has_group "$g"; then continue; fi
    changed "create group $g"
    act groupadd --system "$g"
    state_add groups-created "$g"
  done
  if ! has_user "$SERVICE_USER"; then
    changed "create system user $SERVICE_USER (groups ${SERVICE_GROUPS[*]})"
    act useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
      --comment mask-gate --groups "$(
        IFS=,
        printf '%s' "${SERVICE_GROUPS[*]}"
      )" "$SERVICE_USER"
    state_add user-created "$SERVICE_USER"
    return 0
  fi
  for g in "${SERVICE_GROUPS[@]}"; do in_group "$SERVICE_USER" "$g" || missing+=("$g"); done
  if [ ${#missing[@]} -eq 0 ]; then
    unchanged "user $SERVICE_USER in ${SERVICE_GROUPS[*]}"
    return 0
  fi
  changed "add $SERVICE_USER to ${missing[*]}"
  for g in "${missing[@]}"; do act usermod -a -G "$g" "$SERVICE_USER"; done
}

ensure_udev_rules() {
  put_file "$UDEV_RULES" 644 <"$HERE/templates/99-mask-gate.rules"
  [ "$PUT_CHANGED" = 1 ] || return 0
  act udevadm control --reload-rules
  act udevadm trigger --action=add --subsystem-match=gpio --subsystem-match=i2c-dev
}

# The data directory exists before the service first starts: the TensorRT check builds its engine cache there.
ensure_data_dirs() {
  local text
  text=$(render "$HERE/templates/mask-gate.tmpfiles" DATA_DIR="$DATA_DIR" USER="$SERVICE_USER")
  put_file "$TMPFILES_CONF" 644 <<<"$text"
  if [ "$PUT_CHANGED" = 1 ] || [ ! -d "$ROOT$DATA_DIR/trt-cache" ]; then
    act systemd-tmpfiles --create "$ROOT$TMPFILES_CONF"
  else
    unchanged "$DATA_DIR"
  fi
}
