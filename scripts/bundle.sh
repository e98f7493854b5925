#!/usr/bin/env bash
# npm run bundle -- --arch arm64: the offline bundle for a site without internet access. It holds the built
# app, production node_modules with the linux-<arch> binaries (onnxruntime-node, sharp), the models, the
# provisioning files, optional extras (a Node 20 tarball, a TensorRT onnxruntime-node artifact) and
# MANIFEST.sha256 listing every file. Install it with: provisioning/provision.sh --bundle FILE
#
# Addons compiled by node-gyp (gstreamer-superficial, i2c-bus, epoll) cannot be built for another
# architecture here: the bundle carries their sources and provision.sh builds them on the Jetson, offline.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP_FILES=(bin dist models provisioning package.json package-lock.json README.md)
WORK="" ARCH="" OUT="" NODE_TARBALL="" ORT_ARTIFACT="" SKIP_BUILD=0 DRY_RUN=0

usage() {
  cat <<'EOF'
usage: npm run bundle -- --arch arm64 [options]
  --arch arm64|x64       the target's CPU (Jetsons are arm64)
  --out DIR              where the .tar.gz goes (default: bundles/ in the repo)
  --node-tarball FILE    add node-v20.X.Y-linux-<arch>.tar.xz for sites without Node (extras/)
  --ort-artifact FILE    add a TensorRT onnxruntime-node artifact (extras/; see README.md, Deploy to a Jetson)
  --skip-build           use dist/ as it is (default: npm run build first)
  --repo DIR             the checkout to bundle (default: this one)
  --dry-run              print the steps, make nothing
EOF
}

die() {
  printf 'bundle: %s\n' "$*" >&2
  exit 1
}
step() { printf '== %s\n' "$*"; }
do_or_say() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would: %s\n' "$*"
  else
    printf '  $ %s\n' "$*"
    "$@"
  fi
}

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --arch | --out | --node-tarball | --ort-artifact | --repo)
        if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi
        case $1 in
          --arch) ARCH=$2 ;;
          --out) OUT=$2 ;;
          --node-tarball) NODE_TARBALL=$2 ;;
          --ort-artifact) ORT_ARTIFACT=$2 ;;
          --repo) REPO=$(cd "$2" && pwd) ;;
        esac
        shift
        ;;
      --skip-build) SKIP_BUILD=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option '$1' (--help lists them)" ;;
    esac
    shift
  done
  case $ARCH in
    arm64 | x64) ;;
    "") die "--arch is required (arm64 for a Jetson)" ;;
    *) die "--arch: expected arm64 or x64, got '$ARCH'" ;;
  esac
  [ -n "$OUT" ] || OUT="$REPO/bundles"
  if [ -n "$NODE_TARBALL" ]; then
    [ -f "$NODE_TARBALL" ] || die "--node-tarball: no file $NODE_TARBALL"
    [[ $(basename "$NODE_TARBALL") =~ ^node-v20\.[0-9]+\.[0-9]+-linux-$ARCH\.tar\.(xz|gz)$ ]] ||
      die "--node-tarball: expected node-v20.X.Y-linux-$ARCH.tar.xz, got $(basename "$NODE_TARBALL")"
  fi
  if [ -n "$ORT_ARTIFACT" ]; then
    [ -f "$ORT_ARTIFACT" ] || die "--ort-artifact: no file $ORT_ARTIFACT"
    [[ $(basename "$ORT_ARTIFACT") =~ ^onnxruntime-node-.+\.tar\.gz$ ]] ||
      die "--ort-artifact: expected onnxruntime-node-*.tar.gz, got $(basename "$ORT_ARTIFACT")"
    tar -tzf "$ORT_ARTIFACT" | grep -q "^bin/napi-v[0-9]*/linux/$ARCH/libonnxruntime_providers_tensorrt\.so" ||
      die "--ort-artifact: $ORT_ARTIFACT holds no bin/napi-v*/linux/$ARCH/libonnxruntime_providers_tensorrt.so"
  fi
  return 0
}

app_version() {
  local v
  v=$(sed -n 's/^  "version": "\([^"]*\)",*$/\1/p' "$REPO/package.json" | head -n1)
  [ -n "$v" ] || die "no version in $REPO/package.json"
  printf '%s' "$v"
}

# Keeps only linux/<arch> of onnxruntime-node's prebuilt binaries (the package ships every platform: ~300 MB).
prune_other_platforms() {
  local nm=$1 dir
  for dir in "$nm"/onnxruntime-node/bin/napi-v*/*/*; do
    [ -d "$dir" ] || continue
    [[ $dir == */linux/$ARCH ]] || rm -rf -- "$dir"
  done
  find "$nm"/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d -empty -delete 2>/dev/null || true
}

check_binaries() {
  local nm=$1
  compgen -G "$nm/onnxruntime-node/bin/napi-v*/linux/$ARCH/onnxruntime_binding.node" >/dev/null ||
    die "node_modules has no onnxruntime-node binary for linux-$ARCH"
  if ! compgen -G "$nm/@img/sharp-linux-$ARCH/lib/*.node" >/dev/null || [ ! -d "$nm/@img/sharp-libvips-linux-$ARCH" ]; then
    die "npm did not fetch sharp's linux-$ARCH packages (@img/sharp-linux-$ARCH): npm 10 or newer is needed for --cpu/--os"
  fi
}

native_addons() {
  local nm=$1 gyp pkg
  find "$nm" -mindepth 2 -maxdepth 3 -name binding.gyp | sort | while IFS= read -r gyp; do
    pkg=${gyp#"$nm"/}
    pkg=${pkg%/binding.gyp}
    [[ $pkg =~ ^(@[^/]+/)?[^/@]+$ ]] && printf '%s ' "$pkg"
  done
  return 0
}

write_manifest() {
  local dir=$1
  (cd "$dir" && find . -type f ! -path ./MANIFEST.sha256 -printf '%P\n' | sort | tr '\n' '\0' | xargs -0 -r sha256sum) >"$dir/MANIFEST.sha256"
}

# A reproducible .tar.gz with MANIFEST.sha256 first, so provision.sh reads it without unpacking the rest.
write_tarball() {
  local parent=$1 name=$2 out=$3 list
  list=$(mktemp)
  { printf '%s/MANIFEST.sha256\n' "$name"; (cd "$parent" && find "$name" -mindepth 1 ! -path "$name/MANIFEST.sha256" | sort); } >"$list"
  tar -C "$parent" --no-recursion -T "$list" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - | gzip -n -6 >"$out.part"
  rm -f "$list"
  mv "$out.part" "$out"
  sha256sum "$out" | sed "s|  .*|  $(basename "$out")|" >"$out.sha256"
}

main() {
  parse_args "$@"
  local version name staging out f
  version=$(app_version)
  name="mask-gate-$version-linux-$ARCH"
  out="$OUT/$name.tar.gz"

  step "build"
  if [ "$SKIP_BUILD" = 1 ]; then echo "   skipped (--skip-build)"; else do_or_say npm --prefix "$REPO" run build; fi
  [ "$DRY_RUN" = 1 ] || [ -f "$REPO/dist/src/cli/main.js" ] || die "$REPO/dist is not built (npm run build)"

  WORK=$(mktemp -d "${TMPDIR:-/tmp}/mask-gate-bundle.XXXXXX")
  trap 'rm -rf -- "$WORK"' EXIT
  staging="$WORK/$name"

  step "stage the app"
  do_or_say mkdir -p "$staging"
  for f in "${APP_FILES[@]}"; do
    [ -e "$REPO/$f" ] || die "$REPO/$f is missing"
    do_or_say cp -a --dereference "$REPO/$f" "$staging/"
  done

  step "production node_modules for linux-$ARCH"
  do_or_say npm ci --prefix "$staging" --omit=dev --ignore-scripts --cpu="$ARCH" --os=linux --no-audit --no-fund
  if [ "$DRY_RUN" = 0 ]; then
    prune_other_platforms "$staging/node_modules"
    check_binaries "$staging/node_modules"
  fi

  if [ -n "$NODE_TARBALL$ORT_ARTIFACT" ]; then
    step "extras"
    do_or_say mkdir -p "$staging/extras"
    for f in "$NODE_TARBALL" "$ORT_ARTIFACT"; do [ -z "$f" ] || do_or_say cp "$f" "$staging/extras/"; done
  fi

  step "manifest and tarball"
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would: write BUNDLE-INFO and MANIFEST.sha256, then %s\n' "$out"
    return 0
  fi
  {
    printf 'name=%s\nversion=%s\narch=linux-%s\n' "$name" "$version" "$ARCH"
    printf 'commit=%s\n' "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf 'build_on_target=%s\n' "$(native_addons "$staging/node_modules")"
  } >"$staging/BUNDLE-INFO"
  write_manifest "$staging"
  mkdir -p "$OUT"
  write_tarball "$WORK" "$name" "$out"
  printf 'bundle: %s (%s bytes, %s files)\n' "$out" "$(stat -c %s "$out")" "$(wc -l <"$staging/MANIFEST.sha256")"
  printf 'sha256: %s\n' "$(cut -d' ' -f1 "$out.sha256")"
}

main "$@"
