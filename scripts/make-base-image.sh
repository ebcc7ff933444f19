#!/usr/bin/env bash
# make-base-image.sh IMAGE: an offline stand-in for an official python:X.Y-slim image.
#
# Used by scripts/testbed.mjs ONLY when IMAGE cannot be pulled (no Docker Hub here). It builds
#   a Debian minbase root fs (debootstrap) with the distribution's python3, pip and venv,
#   slimmed like debian:*-slim, plus /wheels: Debian's python3-flask, -gunicorn, ... .debs
#   repacked as wheels by deb2wheel.py, so `pip install Flask==2.2.2 gunicorn==20.1.0` works
#   with no index (PIP_NO_INDEX=1, PIP_FIND_LINKS=/wheels),
# and imports it into the engine as IMAGE, then checks it offline.
#
# Everything slow is cached under ${XDG_CACHE_HOME:-~/.cache}/container-ship/base-image
# (root fs, .debs, wheels); a rerun with a warm cache only re-imports (about 10 s).
#
# Needs: root, debootstrap, dpkg-deb, apt-get, a reachable Debian mirror, the docker CLI and
# an engine. Environment: CACHE_DIR, SUITE (default: this system's codename), MIRROR (default:
# the first one apt's sources name), FORCE=1 to rebuild everything.
set -Eeuo pipefail

IMAGE=${1:?usage: make-base-image.sh IMAGE (e.g. python:3.11-slim)}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-ship/base-image}
FORCE=${FORCE:-0}
PACKAGES=python3,python3-pip,python3-venv,python-is-python3,ca-certificates
WHEEL_PACKAGES=(python3-flask python3-werkzeug python3-jinja2 python3-markupsafe python3-itsdangerous
  python3-click python3-gunicorn python3-wheel)
ROOTFS=$CACHE_DIR/rootfs
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

step=preflight
log=
fail() {
  echo "make-base-image: step '$step' failed: $*" >&2
  exit 1
}
on_error() {
  local code=$?
  echo "make-base-image: step '$step' failed (exit $code) running: $1" >&2
  if [[ -n $log && -s $log ]]; then
    echo "--- last lines of $log ---" >&2
    tail -n 20 "$log" >&2
  fi
  exit "$code"
}
trap 'on_error "$BASH_COMMAND"' ERR

started=$SECONDS
begin() {
  step=$1
  log=$CACHE_DIR/logs/$1.log
  step_started=$SECONDS
}
done_step() { echo "make-base-image: $step: $1 ($((SECONDS - step_started)) s)"; }

# The cache must only be reused when it was made from the same inputs.
stamp_matches() { [[ $FORCE != 1 && -f $1 && "$(cat "$1")" == "$2" ]]; }

# Never follow rm -rf into a /proc or /dev an interrupted debootstrap left mounted.
remove_tree() {
  local path real mount
  for path in "$@"; do
    [[ -e $path ]] || continue
    real=$(realpath "$path")
    awk -v prefix="$real/" 'index($2 "/", prefix) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r mount; do umount --lazy "$mount" || true; done
    rm -rf --one-file-system "$real"
  done
}

apt_mirror() {
  if [[ -n ${MIRROR:-} ]]; then
    echo "$MIRROR"
  elif [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources | head -n 1
  else
    awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit } $1 == "deb" { print $3; exit }' /etc/apt/sources.list
  fi
}

# ------------------------------------------------------------------------------- preflight
begin preflight
[[ $(id -u) == 0 ]] || fail "run it as root: debootstrap and chroot need it"
for tool in debootstrap dpkg-deb apt-get chroot tar flock docker; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing; install it (apt-get install -y debootstrap docker.io)"
done
SUITE=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[[ -n $SUITE ]] || fail "cannot tell the Debian suite; set SUITE (e.g. SUITE=bookworm)"
MIRROR=$(apt_mirror)
[[ -n $MIRROR ]] || fail "cannot find a Debian mirror in apt's sources; set MIRROR"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "no Docker engine answers; start dockerd first"
mkdir -p "$CACHE_DIR/logs"
exec 9>"$CACHE_DIR/.lock"
flock 9

# ------------------------------------------------------------------------------- root fs
begin rootfs
rootfs_key="suite=$SUITE mirror=$MIRROR packages=$PACKAGES slim=1"
if stamp_matches "$CACHE_DIR/rootfs.stamp" "$rootfs_key" && [[ -x $ROOTFS/usr/bin/python3 ]]; then
  done_step "cached in $ROOTFS"
else
  rm -f "$CACHE_DIR/rootfs.stamp" "$CACHE_DIR/wheels.stamp"
  remove_tree "$ROOTFS.partial" "$ROOTFS"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS.partial" "$MIRROR" >"$log" 2>&1
  new=$ROOTFS.partial
  # Like the official image: pip may install into the system python (PEP 668 marker removed).
  rm -f "$new"/usr/lib/python3*/EXTERNALLY-MANAGED
  # Like debian:*-slim: no docs, man pages or locales, now or in later apt installs.
  cat >"$new/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  find "$new/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$new/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$new"/usr/share/{man,info,locale,lintian}/* "$new"/var/cache/apt/archives/*.deb \
    "$new"/var/cache/apt/*.bin "$new"/var/lib/apt/lists/* "$new"/var/log/*.log
  mv "$new" "$ROOTFS"
  echo "$rootfs_key" >"$CACHE_DIR/rootfs.stamp"
  done_step "debootstrap $SUITE from $MIRROR, $(du -sh "$ROOTFS" | cut -f1)"
fi

# The name promises a Python version; the root fs must keep that promise.
python_version=$(chroot "$ROOTFS" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ ${IMAGE##*:} =~ ^([0-9]+\.[0-9]+) && ${BASH_REMATCH[1]} != "$python_version" ]]; then
  fail "$SUITE ships Python $python_version, so it cannot stand in for $IMAGE; pick a matching SUITE"
fi

# ------------------------------------------------------------------------------- .debs
begin debs
# apt with private lists and cache: the host's own apt state is left untouched.
apt_private=(-o "Dir::State::Lists=$CACHE_DIR/apt/lists" -o "Dir::Cache=$CACHE_DIR/apt/cache" -o APT::Sandbox::User=root)
debs_key="suite=$SUITE mirror=$MIRROR packages=${WHEEL_PACKAGES[*]}"
if stamp_matches "$CACHE_DIR/debs.stamp" "$debs_key" && compgen -G "$CACHE_DIR/debs/*.deb" >/dev/null; then
  done_step "cached in $CACHE_DIR/debs"
else
  rm -f "$CACHE_DIR/debs.stamp"
  mkdir -p "$CACHE_DIR/apt/lists/partial" "$CACHE_DIR/apt/cache/archives/partial"
  apt-get "${apt_private[@]}" update >"$log" 2>&1
  remove_tree "$CACHE_DIR/debs.partial"
  mkdir -p "$CACHE_DIR/debs.partial"
  (cd "$CACHE_DIR/debs.partial" && apt-get "${apt_private[@]}" download "${WHEEL_PACKAGES[@]}") >>"$log" 2>&1
  remove_tree "$CACHE_DIR/debs"
  mv "$CACHE_DIR/debs.partial" "$CACHE_DIR/debs"
  echo "$debs_key" >"$CACHE_DIR/debs.stamp"
  done_step "$(find "$CACHE_DIR/debs" -name '*.deb' | wc -l) packages downloaded"
fi

# ------------------------------------------------------------------------------- wheels
begin wheels
wheels_key="debs=$(cat "$CACHE_DIR"/debs/*.deb | sha256sum | cut -c1-16) tool=$(sha256sum <"$HERE/deb2wheel.py" | cut -c1-16)"
if stamp_matches "$CACHE_DIR/wheels.stamp" "$wheels_key" && [[ -s $ROOTFS/wheels/SHA256SUMS ]]; then
  done_step "cached in $ROOTFS/wheels"
else
  rm -f "$CACHE_DIR/wheels.stamp"
  remove_tree "$ROOTFS/wheels" "$ROOTFS/tmp/deb2wheel"
  mkdir -p "$ROOTFS/wheels" "$ROOTFS/tmp/deb2wheel"
  # pip and setuptools: the wheels Debian ships for venv (python3-pip-whl, python3-setuptools-whl).
  cp "$ROOTFS"/usr/share/python-wheels/*.whl "$ROOTFS/wheels/"
  cp "$CACHE_DIR"/debs/*.deb "$HERE/deb2wheel.py" "$ROOTFS/tmp/deb2wheel/"
  # The target interpreter does the repacking, so compiled wheels carry its tags.
  chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    sh -c 'python3 /tmp/deb2wheel/deb2wheel.py /wheels /tmp/deb2wheel/*.deb' >"$log" 2>&1
  remove_tree "$ROOTFS/tmp/deb2wheel"
  (cd "$ROOTFS/wheels" && sha256sum ./*.whl >SHA256SUMS)
  echo "$wheels_key" >"$CACHE_DIR/wheels.stamp"
  done_step "$(grep -c . "$ROOTFS/wheels/SHA256SUMS") wheels"
fi

# ------------------------------------------------------------------------------- import
begin import
changes=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV PIP_NO_INDEX=1'
  'ENV PIP_FIND_LINKS=/wheels'
  'ENV PIP_DISABLE_PIP_VERSION_CHECK=1'
  'CMD ["python3"]'
)
content=$({ cat "$CACHE_DIR/rootfs.stamp" "$ROOTFS/wheels/SHA256SUMS"; printf '%s\n' "${changes[@]}"; } | sha256sum | cut -c1-16)
existing=$(docker image inspect --format '{{index .Config.Labels "io.container-ship.stand-in"}}' "$IMAGE" 2>/dev/null || true)
if [[ $FORCE != 1 && $existing == "$content" ]]; then
  done_step "$IMAGE already holds this root fs"
else
  change_args=()
  for change in "${changes[@]}"; do change_args+=(--change "$change"); done
  tar --numeric-owner -C "$ROOTFS" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    docker import "${change_args[@]}" --change "LABEL io.container-ship.stand-in=$content" \
      --message "container-ship offline stand-in: Debian $SUITE python$python_version + /wheels" - "$IMAGE" >"$log" 2>&1
  done_step "imported as $IMAGE, $(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }')"
fi

# ------------------------------------------------------------------------------- check
begin check
docker run --rm --network none "$IMAGE" sh -ec '
  pip install --quiet --target /tmp/site Flask==2.2.2 gunicorn==20.1.0
  PYTHONPATH=/tmp/site python -c "import flask, gunicorn, markupsafe._speedups, pkg_resources"
' >"$log" 2>&1
done_step "offline pip install of Flask 2.2.2 + gunicorn 20.1.0 works"
echo "make-base-image: $IMAGE ready in $((SECONDS - started)) s"
