# shellcheck shell=bash disable=SC2034 # globals set here are read by the other lib files
# System packages (apt) and Node 20 (a configured apt source, or a local tarball).

# Camera pipelines (v4l2src, jpegdec, rtsp, h264parse), native addon builds (gstreamer-superficial, i2c-bus,
# epoll compile on the Jetson), voice prompts, thermometer/display bus tools.
BASE_APT="gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev build-essential python3 pkg-config
espeak-ng alsa-utils i2c-tools ca-certificates curl gnupg"

NODE_MAJOR=20
NODESOURCE_KEY_URL=https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
NODESOURCE_LINE="deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main"
NODE_TARBALL_DIR=/usr/local/lib/nodejs

apt_wanted() {
  local list=()
  read -r -d '' -a list <<<"$BASE_APT $EXTRA_APT" || true
  if [ "$KIOSK" = 1 ] && [[ $KIOSK_BROWSER == apt:* ]]; then list+=("${KIOSK_BROWSER#apt:}"); fi
  if [ "$ORT_BUILD" = 1 ]; then list+=(git cmake python3-dev python3-pip); fi
  printf '%s\n' "${list[@]}"
}

# The packages of $@ that dpkg does not have installed.
apt_missing() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }') || true
  local p
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$installed" || printf '%s\n' "$p"
  done
}

install_apt_packages() {
  local wanted missing
  mapfile -t wanted < <(apt_wanted)
  mapfile -t missing < <(apt_missing "${wanted[@]}")
  if [ ${#missing[@]} -eq 0 ]; then
    unchanged "apt packages (${#wanted[@]} installed)"
    return 0
  fi
  changed "apt install ${missing[*]}"
  act apt-get update -q
  act apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get could not install: ${missing[*]}. An offline site needs these from a local mirror or installed beforehand."
  local p
  for p in "${missing[@]}"; do state_add apt-installed "$p"; done
}

# --- Node 20 ---

node_major_of() {
  local v
  v=$("$ROOT$1" --version 2>/dev/null) || return 1
  [[ $v =~ ^v([0-9]+)\. ]] || return 1
  printf '%s' "${BASH_REMATCH[1]}"
}

# Sets NODE_BIN, NPM_BIN and NODE_DIR (headers for offline native builds) to a working Node 20: from
# --node-tarball, from the bundle's extras, from an install already there, or from the configured apt source.
install_node() {
  local rel
  if [ -n "$NODE_TARBALL" ]; then
    install_node_tarball "$(basename "$NODE_TARBALL")" "$NODE_TARBALL"
    return 0
  fi
  rel=$(bundle_extra 'node-v[0-9.]+-linux-arm64[.]tar[.](xz|gz)')
  if [ -n "$rel" ]; then
    install_node_tarball "${rel#extras/}" "bundle:$rel"
    return 0
  fi
  if [ "$(node_major_of /usr/bin/node || true)" = "$NODE_MAJOR" ]; then
    NODE_BIN=/usr/bin/node NPM_BIN=/usr/bin/npm NODE_DIR=/usr
    unchanged "node $("$ROOT$NODE_BIN" --version) at $NODE_BIN"
    return 0
  fi
  if [ "$(node_major_of /usr/local/bin/node || true)" = "$NODE_MAJOR" ]; then
    NODE_BIN=/usr/local/bin/node NPM_BIN=/usr/local/bin/npm
    NODE_DIR=$(dirname "$(dirname "$(readlink -f "$ROOT/usr/local/bin/node")")")
    NODE_DIR=${NODE_DIR#"$ROOT"}
    unchanged "node $("$ROOT$NODE_BIN" --version) at $NODE_BIN"
    return 0
  fi
  case $NODE_SOURCE in
    nodesource) install_node_apt ;;
    tarball) die "Node $NODE_MAJOR on $MODULE_NAME (JetPack $JETPACK, Ubuntu $UBUNTU) comes from a tarball: pass --node-tarball node-v20.x-linux-arm64.tar.xz$([ "$UBUNTU" = 18.04 ] && printf '%s' ' built for glibc 2.27 (the official builds need glibc 2.28; see README.md, Deploy to a Jetson)')" ;;
    *) die "unknown node source '$NODE_SOURCE' (expected nodesource or tarball)" ;;
  esac
}

install_node_apt() {
  local key=/etc/apt/keyrings/nodesource.gpg
  if [ ! -f "$ROOT$key" ]; then
    changed "add the NodeSource signing key $key"
    ensure_dir /etc/apt/keyrings
    act curl -fsSL -o "$ROOT/etc/apt/keyrings/nodesource.asc" "$NODESOURCE_KEY_URL"
    act gpg --batch --yes --dearmor -o "$ROOT$key" "$ROOT/etc/apt/keyrings/nodesource.asc"
    act rm -f "$ROOT/etc/apt/keyrings/nodesource.asc"
  else
    unchanged "$key"
  fi
  put_file /etc/apt/sources.list.d/nodesource.list 644 <<<"$NODE_APT_SOURCE"
  # Prefer Node 20 from that source over Ubuntu's nodejs, and never move to another major by itself.
  put_file /etc/apt/preferences.d/mask-gate-nodejs 644 <<<"$(printf 'Package: nodejs\nPin: version %s.*\nPin-Priority: 600' "$NODE_MAJOR")"
  changed "apt install nodejs ($NODE_MAJOR.x)"
  act apt-get update -q
  act apt-get install -y -q nodejs || die "apt-get could not install nodejs from: $NODE_APT_SOURCE"
  state_add apt-installed nodejs
  NODE_BIN=/usr/bin/node NPM_BIN=/usr/bin/npm NODE_DIR=/usr
  if ! is_dry && [ "$(node_major_of "$NODE_BIN" || true)" != "$NODE_MAJOR" ]; then
    die "after installing nodejs, $NODE_BIN is not Node $NODE_MAJOR: check $NODE_APT_SOURCE"
  fi
}

# install_node_tarball NAME SOURCE: SOURCE is a file or bundle:extras/NAME.
install_node_tarball() {
  local name=$1 source=$2 tarball dir
  [[ $source == bundle:* ]] || [ -f "$source" ] || die "--node-tarball: no file $source"
  [[ $name =~ ^(node-v${NODE_MAJOR}\.[0-9]+\.[0-9]+-linux-arm64)\.tar\.(xz|gz)$ ]] ||
    die "--node-tarball: expected node-v$NODE_MAJOR.X.Y-linux-arm64.tar.xz (or .tar.gz), got $name"
  dir="$NODE_TARBALL_DIR/${BASH_REMATCH[1]}"
  NODE_BIN=/usr/local/bin/node NPM_BIN=/usr/local/bin/npm NODE_DIR=$dir
  if [ "$(node_major_of "$dir/bin/node" || true)" = "$NODE_MAJOR" ]; then
    unchanged "node $("$ROOT$dir/bin/node" --version) in $dir"
  else
    changed "unpack $name into $NODE_TARBALL_DIR"
    tarball=$source
    if [[ $source == bundle:* ]]; then tarball=$(bundle_unpack_extra "${source#bundle:}"); fi
    ensure_dir "$NODE_TARBALL_DIR"
    act tar -xf "$tarball" -C "$ROOT$NODE_TARBALL_DIR"
    if ! is_dry && [ "$(node_major_of "$dir/bin/node" || true)" != "$NODE_MAJOR" ]; then
      rm -rf -- "$ROOT$dir"
      die "the Node in $name does not run here ($(getconf GNU_LIBC_VERSION 2>/dev/null || echo 'glibc unknown')). Node 20's official builds need glibc 2.28; JetPack 4.6 (Ubuntu 18.04) has 2.27: use a Node 20 built for glibc 2.27 (see README.md, Deploy to a Jetson)."
    fi
    state_add node-dirs "$dir"
  fi
  # Relative links: /usr/local/bin/node -> ../lib/nodejs/node-v20.../bin/node.
  local tool
  for tool in node npm npx; do put_link "/usr/local/bin/$tool" "../lib/nodejs/${dir##*/}/bin/$tool"; done
}
