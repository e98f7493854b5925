# shellcheck shell=bash
# --host user@jetson: copy this provisioning folder and the app (the bundle, or the repo's built files) to a
# fresh temporary folder on the Jetson, run provision.sh there with sudo, and remove the folder.

# The options to hand on, with local files replaced by their copies on the Jetson.
REMOTE_ARGS=()
REMOTE_FILES=()

remote_add_file() {
  local option=$1 file=$2
  [ -f "$file" ] || die "$option: no file $file"
  REMOTE_FILES+=("$file")
  REMOTE_ARGS+=("$option" "@DIR@/$(basename "$file")")
}

run_remote() {
  local host=$1 dir app_tar="" tmp arg args=() remote_cmd
  [[ $host =~ ^[A-Za-z0-9._-]+@[A-Za-z0-9._:-]+$ || $host =~ ^[A-Za-z0-9._:-]+$ ]] || die "--host: expected user@host, got '$host'"
  if [ -n "$BUNDLE" ]; then
    check_app_source
    remote_add_file --bundle "$BUNDLE"
  else
    check_app_source
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/mask-gate-remote.XXXXXX")
    DRY_TEMP_FILES+=("$tmp")
    app_tar="$tmp/mask-gate-app.tar.gz"
    # The built app without node_modules: the Jetson runs npm ci for its own architecture.
    tar -czf "$app_tar" -C "$REPO" --dereference "${APP_FILES[@]}"
    REMOTE_FILES+=("$app_tar")
  fi
  step "copy to $host"
  dir=$(ssh "$host" mktemp -d /tmp/mask-gate-provision.XXXXXX) || die "ssh $host failed"
  [[ $dir =~ ^/tmp/mask-gate-provision\.[A-Za-z0-9]+$ ]] || die "unexpected temporary folder from $host: '$dir'"
  scp -q -r "$HERE" "$host:$dir/provisioning" || die "scp to $host failed"
  if [ ${#REMOTE_FILES[@]} -gt 0 ]; then scp -q "${REMOTE_FILES[@]}" "$host:$dir/" || die "scp to $host failed"; fi
  for arg in "${REMOTE_ARGS[@]}"; do args+=("${arg//@DIR@/$dir}"); done
  remote_cmd="sudo bash $dir/provisioning/provision.sh"
  if [ -n "$app_tar" ]; then
    remote_cmd="mkdir $dir/repo && tar -xzf $dir/mask-gate-app.tar.gz -C $dir/repo && $remote_cmd --repo $dir/repo"
  fi
  [ ${#args[@]} -gt 0 ] && remote_cmd+=" $(quote_cmd "${args[@]}")"
  remote_cmd+="; rc=\$?; rm -rf $dir; exit \$rc"
  step "run on $host"
  # -t: sudo may ask for a password.
  ssh -t "$host" "$remote_cmd"
}
