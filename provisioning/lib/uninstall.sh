# shellcheck shell=bash
# --uninstall: undoes what provisioning did, from its records in $PROV_STATE, in reverse order. The site's
# data (config, event log, engine cache, built onnxruntime) stays unless --purge.

uninstall() {
  step "service"
  local unit any=0
  for unit in "$UNIT_NAME" mask-gate-clocks.service; do
    if [ -f "$ROOT/etc/systemd/system/$unit" ]; then
      # Stopping runs ExecStopPost, which drives the outputs safe while the app is still there.
      act systemctl disable --now "$unit" || warn "could not stop $unit"
      remove_path "/etc/systemd/system/$unit"
      any=1
    fi
  done
  if [ "$any" = 1 ]; then act systemctl daemon-reload; fi
  if [ -f "$ROOT$JOURNALD_CONF" ]; then
    remove_path "$JOURNALD_CONF"
    act systemctl restart systemd-journald
  fi

  step "kiosk"
  remove_kiosk
  local name
  while IFS= read -r name; do
    changed "snap remove $name"
    act snap remove "$name" || warn "snap remove $name failed"
  done < <(state_lines snaps-installed)

  step "performance"
  local mode
  mode=$(state_lines nvpmodel-before | head -n1)
  if [ -n "$mode" ]; then
    changed "nvpmodel power mode back to $mode"
    act nvpmodel -m "$mode" </dev/null || warn "nvpmodel -m $mode failed"
  fi

  step "app"
  remove_path "$APP_DIR.new"
  remove_path "$APP_DIR.old"
  remove_path "$APP_DIR"

  step "user and devices"
  if [ -f "$ROOT$UDEV_RULES" ]; then
    remove_path "$UDEV_RULES"
    act udevadm control --reload-rules
  fi
  remove_path "$TMPFILES_CONF"
  if state_has user-created "$SERVICE_USER" && has_user "$SERVICE_USER"; then
    changed "delete user $SERVICE_USER"
    act userdel "$SERVICE_USER"
  fi
  local g others
  while IFS= read -r g; do
    has_group "$g" || continue
    others=$(awk -F: -v g="$g" -v u="$SERVICE_USER" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] != u) print m[i] }' "$ROOT/etc/group")
    if [ -n "$others" ]; then
      info "group $g kept: $(tr '\n' ' ' <<<"$others")use it"
      continue
    fi
    changed "delete group $g"
    act groupdel "$g"
  done < <(state_lines groups-created)

  step "node and packages"
  local dir tool
  while IFS= read -r dir; do
    for tool in node npm npx; do
      if [ "$(readlink "$ROOT/usr/local/bin/$tool" 2>/dev/null)" = "../lib/nodejs/${dir##*/}/bin/$tool" ]; then
        remove_path "/usr/local/bin/$tool"
      fi
    done
    remove_path "$dir"
  done < <(state_lines node-dirs)
  local pkgs=()
  mapfile -t pkgs < <(state_lines apt-installed)
  if [ ${#pkgs[@]} -gt 0 ]; then
    changed "apt remove ${pkgs[*]} (installed by provisioning)"
    act apt-get remove -y -q "${pkgs[@]}" || warn "apt-get remove failed; remove them by hand if they are not needed"
  fi
  if state_has apt-installed nodejs; then
    remove_path /etc/apt/sources.list.d/nodesource.list
    remove_path /etc/apt/preferences.d/mask-gate-nodejs
    remove_path /etc/apt/keyrings/nodesource.gpg
  fi

  step "site data"
  if [ "$PURGE" = 1 ]; then
    remove_path "$CONF_DIR"
    remove_path "$DATA_DIR"
    remove_path /var/cache/mask-gate
  else
    local kept=()
    for dir in "$CONF_DIR" "$DATA_DIR" /var/cache/mask-gate; do [ -e "$ROOT$dir" ] && kept+=("$dir"); done
    if [ ${#kept[@]} -gt 0 ]; then info "kept ${kept[*]} (config, event log, engine cache, built onnxruntime): --uninstall --purge removes them"; fi
  fi

  # Folders provisioning created, deepest first, if nothing else has been put in them.
  while IFS= read -r dir; do
    if [ -d "$ROOT$dir" ] && [ -z "$(ls -A "$ROOT$dir")" ]; then remove_path "$dir"; fi
  done < <(state_lines created-dirs | sort -r)
  remove_path "$PROV_STATE"
}
