# shellcheck shell=bash
# Reading an offline bundle (npm run bundle -- --arch arm64): its manifest, and the extras it may carry
# (extras/node-v20.*-linux-arm64.tar.*, extras/onnxruntime-node-*-trt-*.tar.gz). The manifest lists the sha256
# of every file, so "is this installed already?" needs no unpacking; a file is unpacked only when needed.

BUNDLE_MANIFEST_TEXT=""
BUNDLE_TMP=""

bundle_manifest() {
  if [ -z "$BUNDLE_MANIFEST_TEXT" ]; then
    BUNDLE_MANIFEST_TEXT=$(tar -xzf "$BUNDLE" -O --wildcards --occurrence=1 '*/MANIFEST.sha256' 2>/dev/null) ||
      die "--bundle $BUNDLE: not a mask-gate bundle (no MANIFEST.sha256); make one with: npm run bundle -- --arch arm64"
  fi
  printf '%s\n' "$BUNDLE_MANIFEST_TEXT"
}

# The bundle's extras/ file whose name matches the extended regex $1 (nothing when there is none).
bundle_extra() {
  [ -n "$BUNDLE" ] || return 0
  bundle_manifest | awk -v re="^extras/$1\$" '$2 ~ re { print $2; exit }'
}

bundle_extra_sha() { bundle_manifest | awk -v p="$1" '$2 == p { print $1; exit }'; }

# Reads the manifest and makes the folder extras are unpacked into (removed at exit). Called once, up front:
# bundle_unpack_extra runs in subshells, which could not hand a new folder back for removal.
open_bundle() {
  bundle_manifest >/dev/null
  BUNDLE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mask-gate-bundle.XXXXXX")
}

# Unpacks one extras/ file into $BUNDLE_TMP, checks it against the manifest and prints its path.
bundle_unpack_extra() {
  local rel=$1 top path
  top=$(tar -tzf "$BUNDLE" 2>/dev/null | head -n1)
  top=${top%%/*}
  tar -xzf "$BUNDLE" -C "$BUNDLE_TMP" "$top/$rel" || die "$BUNDLE: cannot unpack $rel"
  path="$BUNDLE_TMP/$top/$rel"
  [ "$(sha256_of "$path")" = "$(bundle_extra_sha "$rel")" ] || die "$BUNDLE: $rel does not match MANIFEST.sha256 (damaged copy?)"
  printf '%s' "$path"
}
