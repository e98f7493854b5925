# shellcheck shell=bash disable=SC2034 # globals set here are read by the other lib files
# Output, dry-run, change accounting and idempotent file helpers shared by every step.
#
# Every path read or written goes through $ROOT (MASK_GATE_ROOT): empty on a Jetson, a temporary tree in tests.
# Commands still act on the running system, so ROOT is a test seam, not a way to prepare an image.

ROOT=${MASK_GATE_ROOT:-}
DRY_RUN=0
CHANGES=0
WARNINGS=0
PUT_CHANGED=0

# Where provisioning remembers what it did, so that --uninstall undoes exactly that.
PROV_STATE=/var/lib/mask-gate-provision

step() { printf '== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
warn() {
  WARNINGS=$((WARNINGS + 1))
  printf 'warning: %s\n' "$*" >&2
}
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
is_dry() { [ "$DRY_RUN" = 1 ]; }

# One line per action, so a run reads as a list of what changed.
changed() {
  CHANGES=$((CHANGES + 1))
  if is_dry; then printf 'would: %s\n' "$*"; else printf 'changed: %s\n' "$*"; fi
}
unchanged() { printf 'unchanged: %s\n' "$*"; }

# A command line as a shell would need it typed: plain words as they are, others in single quotes.
quote_cmd() {
  local out="" a
  for a in "$@"; do
    if [[ -n $a && $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
      out+="${out:+ }$a"
    else
      out+="${out:+ }'${a//\'/\'\\\'\'}'"
    fi
  done
  printf '%s' "$out"
}

# act CMD...: a command that changes the system. Dry-run prints it instead of running it.
act() {
  if is_dry; then
    printf 'would: %s\n' "$(quote_cmd "$@")"
    return 0
  fi
  printf '  $ %s\n' "$(quote_cmd "$@")"
  "$@"
}

# --- provisioning state (lists of lines under $PROV_STATE) ---

state_has() { [ -f "$ROOT$PROV_STATE/$1" ] && grep -qxF -- "$2" "$ROOT$PROV_STATE/$1"; }
state_add() {
  is_dry && return 0
  state_has "$1" "$2" && return 0
  mkdir -p "$ROOT$PROV_STATE"
  printf '%s\n' "$2" >>"$ROOT$PROV_STATE/$1"
}
state_lines() { if [ -f "$ROOT$PROV_STATE/$1" ]; then cat "$ROOT$PROV_STATE/$1"; fi; }

# ensure_dir DIR: creates missing directories, remembering each so that --uninstall removes only those.
ensure_dir() {
  local d=$1 missing=()
  while [ ! -d "$ROOT$d" ]; do
    missing=("$d" ${missing[@]+"${missing[@]}"})
    d=$(dirname "$d")
  done
  is_dry && return 0
  for d in ${missing[@]+"${missing[@]}"}; do
    mkdir -m 0755 "$ROOT$d"
    state_add created-dirs "$d"
  done
}

# put_file DEST MODE: content on stdin. Writes only when the content or mode differ; sets PUT_CHANGED.
put_file() {
  local dest=$1 mode=$2 path="$ROOT$1" tmp
  tmp=$(mktemp "${TMPDIR:-/tmp}/mask-gate-put.XXXXXX")
  cat >"$tmp"
  PUT_CHANGED=0
  if [ -f "$path" ] && [ ! -L "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "$mode" ]; then
    rm -f "$tmp"
    unchanged "$dest"
    return 0
  fi
  PUT_CHANGED=1
  if [ -e "$path" ]; then changed "update $dest"; else changed "create $dest"; fi
  if is_dry; then
    rm -f "$tmp"
    return 0
  fi
  ensure_dir "$(dirname "$dest")"
  # Copy beside the target, then rename: a reader never sees half a file.
  cp "$tmp" "$path.mask-gate-new"
  rm -f "$tmp"
  chmod "$mode" "$path.mask-gate-new"
  mv -f "$path.mask-gate-new" "$path"
}

# put_link DEST TARGET: a symlink, replaced only when it points elsewhere.
put_link() {
  local dest=$1 target=$2
  if [ -L "$ROOT$dest" ] && [ "$(readlink "$ROOT$dest")" = "$target" ]; then
    unchanged "$dest -> $target"
    return 0
  fi
  [ -e "$ROOT$dest" ] && [ ! -L "$ROOT$dest" ] && die "$dest exists and is not a symlink; move it away first"
  changed "link $dest -> $target"
  is_dry && return 0
  ensure_dir "$(dirname "$dest")"
  ln -sfn "$target" "$ROOT$dest"
}

# remove_path DEST: removes a file, link or tree if present.
remove_path() {
  local dest=$1
  case $dest in /?*) ;; *) die "remove_path: refusing to remove '$dest'" ;; esac
  [ -e "$ROOT$dest" ] || [ -L "$ROOT$dest" ] || return 0
  changed "remove $dest"
  is_dry || rm -rf -- "$ROOT$dest"
}

# render TEMPLATE KEY=VALUE...: replaces each @KEY@; a placeholder left over is a bug in the caller.
render() {
  local template=$1 text kv key
  shift
  text=$(cat "$template") || die "cannot read template $template"
  for kv in "$@"; do
    key=${kv%%=*}
    text=${text//"@$key@"/"${kv#*=}"}
  done
  if [[ $text =~ @[A-Z][A-Z0-9_]*@ ]]; then die "template $template: ${BASH_REMATCH[0]} was not filled in"; fi
  printf '%s\n' "$text"
}

# ver_ge A B: version A >= version B (dotted numbers).
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# tree_hash DIR NAME...: one hash over the named files and folders (paths and contents), for install stamps.
tree_hash() {
  local dir=$1
  shift
  (cd "$dir" && find -H "$@" \( -type f -o -type l \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
