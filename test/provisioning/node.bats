# Node 20: a tarball (JetPack 4.6 needs one built for glibc 2.27), or a configured apt source.
load 'helpers/common'

setup() {
  setup_env
}

@test "Nano without --node-tarball: refused, and told why (glibc 2.27) and what to pass" {
  make_root nano
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu
  [ "$status" = 1 ]
  grep -qx 'error: Node 20 on Jetson Nano (JetPack 4.6.1, Ubuntu 18.04) comes from a tarball: pass --node-tarball node-v20.x-linux-arm64.tar.xz built for glibc 2.27 (the official builds need glibc 2.28; see README.md, Deploy to a Jetson)' <<<"$output"
  ! grep -q '^useradd' "$STUB_LOG"
}

@test "a Node tarball that does not run here is removed again, with the glibc explanation" {
  make_root nano
  local tarball
  tarball=$(make_node_tarball)
  STUB_FAIL_node='--version' run "$PROVISION" --repo "$TEST_REPO" --skip-gpu --node-tarball "$tarball"
  [ "$status" = 1 ]
  grep -q "^error: the Node in node-v20.19.5-linux-arm64.tar.xz does not run here (glibc .*). Node 20's official builds need glibc 2.28; JetPack 4.6 (Ubuntu 18.04) has 2.27: use a Node 20 built for glibc 2.27 (see README.md, Deploy to a Jetson).$" <<<"$output"
  [ ! -e "$MASK_GATE_ROOT/usr/local/lib/nodejs/node-v20.19.5-linux-arm64" ]
}

@test "a tarball that is not Node 20 for arm64 is refused by name" {
  make_root nano
  touch "$BASE/node-v22.1.0-linux-arm64.tar.xz"
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu --node-tarball "$BASE/node-v22.1.0-linux-arm64.tar.xz"
  [ "$status" = 1 ]
  grep -qx 'error: --node-tarball: expected node-v20.X.Y-linux-arm64.tar.xz (or .tar.gz), got node-v22.1.0-linux-arm64.tar.xz' <<<"$output"
}

@test "--node-apt-source: Node 20 from a site mirror, pinned to 20.x" {
  make_root orin
  run "$PROVISION" --repo "$TEST_REPO" --skip-gpu --no-kiosk --node-apt-source 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] http://mirror.site.lan/nodesource/node_20.x nodistro main'
  [ "$status" = 0 ]
  [ "$(cat "$MASK_GATE_ROOT/etc/apt/sources.list.d/nodesource.list")" = 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] http://mirror.site.lan/nodesource/node_20.x nodistro main' ]
  [ "$(cat "$MASK_GATE_ROOT/etc/apt/preferences.d/mask-gate-nodejs")" = $'Package: nodejs\nPin: version 20.*\nPin-Priority: 600' ]
}
