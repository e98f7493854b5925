# --host user@jetson: copy provisioning and the app over ssh/scp, run provision.sh there with sudo.
load 'helpers/common'

setup() {
  setup_env
  BUNDLE_FILE="$BASE/mask-gate-0.1.0-linux-arm64.tar.gz"
  echo bundle >"$BUNDLE_FILE"
}

DIR=/tmp/mask-gate-provision.Ab12Cd

@test "--host with a bundle: exact ssh/scp command lines; local files become their remote copies" {
  run "$PROVISION" --host nvidia@gate-1.site.lan --bundle "$BUNDLE_FILE" --node-tarball "$(make_node_tarball)" \
    --fail-mode open --site-name 'North door' --pin relay=22
  [ "$status" = 0 ]
  assert_equal_text "ssh nvidia@gate-1.site.lan mktemp -d /tmp/mask-gate-provision.XXXXXX
scp -q -r $REPO_ROOT/provisioning nvidia@gate-1.site.lan:$DIR/provisioning
scp -q $BASE/node-v20.19.5-linux-arm64.tar.xz $BUNDLE_FILE nvidia@gate-1.site.lan:$DIR/
ssh -t nvidia@gate-1.site.lan sudo bash $DIR/provisioning/provision.sh --fail-mode open --site-name 'North door' --pin relay=22 --node-tarball $DIR/node-v20.19.5-linux-arm64.tar.xz --bundle $DIR/mask-gate-0.1.0-linux-arm64.tar.gz; rc=\$?; rm -rf $DIR; exit \$rc" \
    "$(sed "s|$MASK_GATE_ROOT|<root>|g" "$STUB_LOG")"
  cmp "$BUNDLE_FILE" "$STUB_STATE/scp/mask-gate-0.1.0-linux-arm64.tar.gz"
}

@test "--host from the repo: the built app without node_modules goes over; the Jetson runs npm ci itself" {
  run "$PROVISION" --host gate-2 --repo "$TEST_REPO" --dry-run --ort-artifact https://example.com/ort.tar.gz
  [ "$status" = 0 ]
  assert_equal_text "ssh gate-2 mktemp -d /tmp/mask-gate-provision.XXXXXX
scp -q -r $REPO_ROOT/provisioning gate-2:$DIR/provisioning
scp -q <tmp>/mask-gate-app.tar.gz gate-2:$DIR/
ssh -t gate-2 mkdir $DIR/repo && tar -xzf $DIR/mask-gate-app.tar.gz -C $DIR/repo && sudo bash $DIR/provisioning/provision.sh --repo $DIR/repo --dry-run --ort-artifact https://example.com/ort.tar.gz; rc=\$?; rm -rf $DIR; exit \$rc" \
    "$(sed -E "s|$TMPDIR/mask-gate-remote\.[A-Za-z0-9]+|<tmp>|g" "$STUB_LOG")"
  assert_equal_text 'bin/mask-gate.js
dist/src/cli/main.js
models/mask-two-stage/model.json
package-lock.json
package.json
provisioning/provision.sh' "$(tar -tzf "$STUB_STATE/scp/mask-gate-app.tar.gz" | grep -xE 'bin/mask-gate.js|dist/src/cli/main.js|models/mask-two-stage/model.json|package(-lock)?.json|provisioning/provision.sh' | sort)"
  ! tar -tzf "$STUB_STATE/scp/mask-gate-app.tar.gz" | grep -q node_modules
  # The local temporary copy is gone.
  [ -z "$(ls "$TMPDIR")" ]
}

@test "--host: a bad host name and a failing ssh are reported" {
  run "$PROVISION" --host 'nvidia@gate 1' --bundle "$BUNDLE_FILE"
  [ "$status" = 1 ]
  grep -qx "error: --host: expected user@host, got 'nvidia@gate 1'" <<<"$output"
  STUB_FAIL_ssh=mktemp run "$PROVISION" --host nvidia@gate-1 --bundle "$BUNDLE_FILE"
  [ "$status" = 1 ]
  grep -qx 'error: ssh nvidia@gate-1 failed' <<<"$output"
}
