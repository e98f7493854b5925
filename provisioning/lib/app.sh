# shellcheck shell=bash disable=SC2034 # globals set here are read by the other lib files
# The app in /opt/mask-gate: from an offline bundle (node_modules inside) or from a repo checkout (npm ci).
# A new version is assembled beside the old one and swapped in, so a failed install leaves the old one running.

APP_DIR=/opt/mask-gate
APP_FILES=(bin dist models provisioning package.json package-lock.json)
APP_CHANGED=0

# What is being installed, as one line; the same line in $APP_DIR/.install-stamp means nothing to do.
app_stamp() {
  if [ -n "$BUNDLE" ]; then
    printf 'bundle %s %s\n' "$(basename "$BUNDLE")" "$(bundle_manifest | sha256sum | cut -d' ' -f1)"
  else
    printf 'repo %s\n' "$(tree_hash "$REPO" "${APP_FILES[@]}")"
  fi
}

check_app_source() {
  if [ -n "$BUNDLE" ]; then
    [ -f "$BUNDLE" ] || die "--bundle: no file $BUNDLE"
    [[ $(basename "$BUNDLE") =~ ^mask-gate-.+-linux-arm64\.tar\.gz$ ]] ||
      die "--bundle: expected mask-gate-VERSION-linux-arm64.tar.gz, got $(basename "$BUNDLE")"
    return 0
  fi
  [ -f "$REPO/package.json" ] || die "no app to install: $REPO is not a mask-gate checkout; pass --repo DIR or --bundle FILE"
  local f
  for f in "${APP_FILES[@]}"; do [ -e "$REPO/$f" ] || die "$REPO/$f is missing"; done
  [ -f "$REPO/dist/src/cli/main.js" ] || die "$REPO is not built: run 'npm ci && npm run build' there first (or install from a bundle)"
}

install_app() {
  local stamp new="$APP_DIR.new" old="$APP_DIR.old"
  stamp=$(app_stamp)
  if [ -f "$ROOT$APP_DIR/.install-stamp" ] && [ "$(cat "$ROOT$APP_DIR/.install-stamp")" = "$stamp" ]; then
    unchanged "$APP_DIR (${stamp%% *} ${stamp#* })"
    return 0
  fi
  APP_CHANGED=1
  changed "install the app into $APP_DIR from ${BUNDLE:-$REPO}"
  ensure_dir "$(dirname "$APP_DIR")"
  [ -e "$ROOT$new" ] && act rm -rf "$ROOT$new"
  act mkdir "$ROOT$new"
  if [ -n "$BUNDLE" ]; then
    act tar -xzf "$BUNDLE" -C "$ROOT$new" --strip-components=1 --exclude='*/extras'
    if ! is_dry; then
      (cd "$ROOT$new" && grep -v '  extras/' MANIFEST.sha256 | sha256sum --quiet -c -) ||
        die "$BUNDLE: files do not match its MANIFEST.sha256 (damaged copy?)"
    fi
  else
    local f
    for f in "${APP_FILES[@]}"; do act cp -a "$REPO/$f" "$ROOT$new/"; done
    act "$ROOT$NPM_BIN" ci --prefix "$ROOT$new" --omit=dev --ignore-scripts --no-audit --no-fund
  fi
  rebuild_native_addons "$new"
  is_dry || printf '%s\n' "$stamp" >"$ROOT$new/.install-stamp"
  if [ -e "$ROOT$APP_DIR" ]; then act mv "$ROOT$APP_DIR" "$ROOT$old"; fi
  act mv "$ROOT$new" "$ROOT$APP_DIR"
  if [ -e "$ROOT$old" ]; then act rm -rf "$ROOT$old"; fi
  return 0
}

# Addons compiled with node-gyp (gstreamer-superficial, i2c-bus, epoll) are built here, for this Jetson's
# Node and libraries; with the Node headers given locally, this works offline.
rebuild_native_addons() {
  local dir=$1 nm names=() gyp pkg
  if is_dry; then
    printf 'would: npm rebuild (node-gyp addons) in %s\n' "$dir"
    return 0
  fi
  nm="$ROOT$dir/node_modules"
  while IFS= read -r gyp; do
    pkg=${gyp#"$nm"/}
    pkg=${pkg%/binding.gyp}
    [[ $pkg =~ ^(@[^/]+/)?[^/@]+$ ]] && names+=("$pkg")
  done < <(find "$nm" -mindepth 2 -maxdepth 3 -name binding.gyp 2>/dev/null | LC_ALL=C sort)
  [ ${#names[@]} -gt 0 ] || return 0
  act env "npm_config_nodedir=$ROOT$NODE_DIR" "$ROOT$NPM_BIN" rebuild --prefix "$ROOT$dir" "${names[@]}" ||
    die "building ${names[*]} failed: check build-essential, python3 and libgstreamer1.0-dev are installed"
}
