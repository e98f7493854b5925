# shellcheck shell=bash
# GPU inference: a TensorRT-enabled onnxruntime-node binding, from a prebuilt artifact or built from source,
# then proven by one real inference on the tensorrt provider (which also builds the engine cache).
#
# An artifact is a .tar.gz holding bin/napi-v*/linux/arm64/* (the binding and libonnxruntime*.so, including
# libonnxruntime_providers_tensorrt.so) and ARTIFACT-INFO (ort_version, l4t, cuda_arch, tensorrt). It is laid
# over node_modules/onnxruntime-node, whose JavaScript stays the npm release of the same version.

ORT_CACHE=/var/cache/mask-gate/ort
ORT_BUILD_DIR=/var/cache/mask-gate/ort-build
ORT_REPO_URL=https://github.com/microsoft/onnxruntime.git
ORT_CHANGED=0

ort_cache_name() { printf '%s' "$ORT_CACHE/onnxruntime-node-$1-trt-$PLATFORM_ID.tar.gz"; }

has_trt_binding() { compgen -G "$ROOT$APP_DIR/node_modules/onnxruntime-node/bin/napi-v*/linux/arm64/libonnxruntime_providers_tensorrt.so" >/dev/null; }

ort_pkg_dir() { printf '%s' "$APP_DIR/node_modules/onnxruntime-node"; }

# The onnxruntime-node version the app is locked to (its package.json in node_modules).
ort_app_version() {
  local v
  v=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ROOT$(ort_pkg_dir)/package.json" 2>/dev/null | head -n1)
  [ -n "$v" ] || die "$(ort_pkg_dir)/package.json is missing: the app's dependencies are not installed"
  printf '%s' "$v"
}

artifact_info() { tar -xzf "$1" -O ARTIFACT-INFO 2>/dev/null | sed -n "s/^$2=//p" | head -n1; }

# The TensorRT an onnxruntime release is built against (platforms.conf 'ort' lines: nearest at or below).
ort_needs_trt() {
  local key ver trt best=""
  while read -r key ver trt; do
    [ "$key" = ort ] && ver_ge "$1" "$ver" && best=$trt
  done <"$PLATFORMS_FILE"
  printf '%s' "$best"
}

setup_gpu_inference() {
  if [ "$SKIP_GPU" = 1 ]; then
    info "GPU inference skipped (--skip-gpu): the detector runs on the CPU"
    return 0
  fi
  resolve_ort_artifact
  if [ -z "$ARTIFACT_PATH" ]; then
    is_dry && [ "$ORT_CHANGED" = 1 ] && return 0
    warn "no TensorRT onnxruntime-node: pass --ort-artifact PATH|URL or --ort-build; until then the detector runs on the CPU (the npm binaries for linux-arm64 are CPU-only)"
    return 0
  fi
  install_ort_artifact "$ARTIFACT_PATH"
}

# Sets ARTIFACT_PATH: --ort-artifact, the one in the bundle, the one kept from an earlier install or build
# (so an app update gets its binding back without the option), or one built now (--ort-build).
resolve_ort_artifact() {
  local version cached
  ARTIFACT_PATH=""
  if [ -n "$ORT_ARTIFACT" ]; then
    case $ORT_ARTIFACT in
      http://* | https://*) fetch_ort_artifact "$ORT_ARTIFACT" ;;
      *)
        [ -f "$ORT_ARTIFACT" ] || die "--ort-artifact: no file $ORT_ARTIFACT"
        ARTIFACT_PATH=$ORT_ARTIFACT
        ;;
    esac
    return 0
  fi
  local rel
  rel=$(bundle_extra 'onnxruntime-node-.+[.]tar[.]gz')
  if [ -n "$rel" ]; then
    ARTIFACT_PATH="bundle:$rel"
    return 0
  fi
  if is_dry && [ ! -e "$ROOT$(ort_pkg_dir)/package.json" ]; then
    # Nothing installed yet to read the version from: say what a real run would do.
    if [ "$ORT_BUILD" = 1 ]; then
      changed "build onnxruntime-node with TensorRT from source (CUDA architecture $CUDA_ARCH), then lay it over $(ort_pkg_dir)"
      ORT_CHANGED=1
    fi
    return 0
  fi
  version=$(ort_app_version)
  cached=$(ort_cache_name "$version")
  if [ "$ORT_BUILD" = 1 ] && [ ! -f "$ROOT$cached" ]; then build_ort_from_source "$version" "$cached"; fi
  if [ -f "$ROOT$cached" ] || { is_dry && [ "$ORT_BUILD" = 1 ]; }; then ARTIFACT_PATH="$ROOT$cached"; fi
  return 0
}

fetch_ort_artifact() {
  local url=$1 name dest
  name=$(basename "${url%%\?*}")
  dest="$ORT_CACHE/$name"
  if [ -f "$ROOT$dest" ]; then
    unchanged "downloaded $dest"
  else
    changed "download $url"
    ensure_dir "$ORT_CACHE"
    act curl -fL --retry 3 -o "$ROOT$dest.part" "$url" || die "could not download $url"
    act mv "$ROOT$dest.part" "$ROOT$dest"
  fi
  if [ -n "$ORT_SHA256" ] && ! is_dry && [ "$(sha256_of "$ROOT$dest")" != "$ORT_SHA256" ]; then
    rm -f "$ROOT$dest"
    die "$url: sha256 is not $ORT_SHA256"
  fi
  ARTIFACT_PATH="$ROOT$dest"
}

check_ort_artifact() {
  local artifact=$1 want have_l4t
  tar -tzf "$artifact" 2>/dev/null | grep -q '^bin/napi-v[0-9]*/linux/arm64/libonnxruntime_providers_tensorrt\.so' ||
    die "$artifact: no bin/napi-v*/linux/arm64/libonnxruntime_providers_tensorrt.so in it (not a TensorRT build of onnxruntime-node for arm64)"
  want=$(ort_app_version)
  [ "$(artifact_info "$artifact" ort_version)" = "$want" ] ||
    die "$artifact is onnxruntime $(artifact_info "$artifact" ort_version), the app uses onnxruntime-node $want: the binding must match its JavaScript"
  have_l4t=$(artifact_info "$artifact" l4t)
  # TensorRT and CUDA libraries (and engine caches) are tied to the JetPack line that built them.
  [ "${have_l4t%.*}" = "${L4T%.*}" ] ||
    die "$artifact was built on L4T $have_l4t; this Jetson runs L4T $L4T (JetPack $JETPACK): build one for it (--ort-build)"
}

# install_ort_artifact SOURCE: a file, or bundle:extras/NAME (unpacked only when it is not installed yet).
install_ort_artifact() {
  local source=$1 pkg name stamp artifact
  pkg=$(ort_pkg_dir)
  if [[ $source == bundle:* ]]; then
    name=${source#bundle:extras/}
    stamp=$(bundle_extra_sha "${source#bundle:}")
  else
    name=$(basename "$source")
    stamp=""
    [ -f "$source" ] && stamp=$(sha256_of "$source")
  fi
  if is_dry && { [ ! -e "$ROOT$pkg/package.json" ] || [ -z "$stamp" ]; }; then
    changed "lay the TensorRT binding $name over $pkg"
    ORT_CHANGED=1
    if [ -f "$source" ] && [ "$source" != "$ROOT$(ort_cache_name "$(artifact_info "$source" ort_version)")" ]; then
      changed "keep $name as $(ort_cache_name "$(artifact_info "$source" ort_version)") for later installs"
    fi
    return 0
  fi
  if [ "$(cat "$ROOT$APP_DIR/.ort-gpu" 2>/dev/null)" = "$stamp" ] && has_trt_binding; then
    unchanged "TensorRT onnxruntime-node $(ort_app_version) ($name)"
    return 0
  fi
  artifact=$source
  if [[ $source == bundle:* ]]; then artifact=$(bundle_unpack_extra "${source#bundle:}"); fi
  check_ort_artifact "$artifact"
  ORT_CHANGED=1
  changed "lay the TensorRT binding $name over $pkg"
  act tar -xzf "$artifact" -C "$ROOT$pkg" bin
  is_dry || printf '%s\n' "$stamp" >"$ROOT$APP_DIR/.ort-gpu"
  keep_ort_artifact "$artifact"
}

# A copy under its canonical name in $ORT_CACHE: later runs (after an app update, without the option) find it.
keep_ort_artifact() {
  local kept
  kept=$(ort_cache_name "$(ort_app_version)")
  if [ -f "$ROOT$kept" ] && cmp -s "$1" "$ROOT$kept"; then return 0; fi
  changed "keep $(basename "$1") as $kept for later installs"
  is_dry && return 0
  ensure_dir "$ORT_CACHE"
  cp "$1" "$ROOT$kept.part"
  mv -f "$ROOT$kept.part" "$ROOT$kept"
}

# onnxruntime's build.sh with TensorRT for this module's GPU, then the Node binding (js/node/script/build.ts).
# Hours on a Jetson; the artifact is kept in $ORT_CACHE for the next install and for other gates on this JetPack.
build_ort_from_source() {
  local version=$1 artifact=$2 src needs cmake_v
  src="$ROOT$ORT_BUILD_DIR/onnxruntime-$version"
  needs=$(ort_needs_trt "$version")
  if [ -n "$needs" ] && [ "${needs%%.*}" != "${TRT_VERSION%%.*}" ]; then
    die "onnxruntime $version needs TensorRT $needs; JetPack $JETPACK has TensorRT $TRT_VERSION. Build on a newer JetPack, or bring a binding built for this one (--ort-artifact)"
  fi
  if [ -n "$needs" ] && ! ver_ge "$TRT_VERSION" "$needs"; then
    warn "onnxruntime $version is tested with TensorRT $needs; JetPack $JETPACK has $TRT_VERSION: the build may fail"
  fi
  cmake_v=$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')
  if ! is_dry && ! ver_ge "${cmake_v:-0}" 3.28; then
    die "building onnxruntime $version needs cmake 3.28 or newer (found ${cmake_v:-none}): python3 -m pip install 'cmake>=3.28'"
  fi
  changed "build onnxruntime $version with TensorRT (CUDA architecture $CUDA_ARCH) in $ORT_BUILD_DIR"
  ensure_dir "$ORT_BUILD_DIR"
  ensure_dir "$ORT_CACHE"
  if [ ! -d "$src" ]; then
    act git clone --recursive --depth 1 --branch "v$version" "$ORT_REPO_URL" "$src"
  fi
  act "$src/build.sh" --config Release --build_shared_lib --parallel --skip_tests --allow_running_as_root \
    --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu --cuda_home /usr/local/cuda \
    --cudnn_home /usr/lib/aarch64-linux-gnu --cmake_extra_defines "CMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH"
  act "$ROOT$NPM_BIN" ci --prefix "$src/js"
  act "$ROOT$NPM_BIN" ci --prefix "$src/js/common"
  act "$ROOT$NPM_BIN" ci --prefix "$src/js/node"
  act "$ROOT$NPM_BIN" run --prefix "$src/js/node" build -- --config=Release --arch=arm64 --use_cuda --use_tensorrt \
    "--onnxruntime-build-dir=$src/build/Linux/Release"
  if ! is_dry; then
    printf 'ort_version=%s\nl4t=%s\njetpack=%s\ncuda_arch=%s\ntensorrt=%s\n' "$version" "$L4T" "$JETPACK" "$CUDA_ARCH" "$TRT_VERSION" \
      >"$src/js/node/ARTIFACT-INFO"
  fi
  act tar -czf "$ROOT$artifact" -C "$src/js/node" ARTIFACT-INFO bin
  info "artifact: $artifact (install it on other gates on JetPack $JETPACK with --ort-artifact)"
}

# One real inference on the tensorrt provider, as the service user; prints which provider ran the nodes.
# Runs when the binding or the app changed, or when the engine cache is empty.
verify_gpu_inference() {
  local model=$CFG_MODEL cache=$CFG_ENGINE_CACHE
  [ "$SKIP_GPU" = 1 ] && return 0
  if ! has_trt_binding && ! { is_dry && [ "$ORT_CHANGED" = 1 ]; }; then return 0; fi
  if [ "$ORT_CHANGED" = 0 ] && [ "$APP_CHANGED" = 0 ] && [ -n "$(ls -A "$ROOT$cache" 2>/dev/null)" ]; then
    unchanged "TensorRT engine cache in $cache"
    return 0
  fi
  if ! is_dry && [ ! -e "$ROOT$model" ]; then
    warn "no model at $model: cannot prove TensorRT inference (install the model, then run provision.sh again)"
    return 0
  fi
  changed "run one inference on the tensorrt provider ($model); builds the engine cache in $cache"
  act runuser -u "$SERVICE_USER" -- env LD_LIBRARY_PATH=/usr/local/cuda/lib64 "$ROOT$NODE_BIN" \
    "$ROOT$APP_DIR/provisioning/lib/ort-probe.js" --app "$ROOT$APP_DIR" --model "$ROOT$model" \
    --provider tensorrt --cache "$ROOT$cache" --fp16 "$CFG_FP16" ||
    die "TensorRT inference failed (above). Fix it, or run with --skip-gpu to keep the detector on the CPU"
}
