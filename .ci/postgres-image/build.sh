#!/usr/bin/env bash
# Builds the PostgreSQL image the store tests run in where no container registry can be reached: a minimal
# Debian tree (debootstrap --variant=minbase) with Debian's postgresql, imported into Docker with
# entrypoint.sh. Prints the image's name on stdout, progress on stderr.
#
# Cached on the machine: the tag carries a hash of this folder, so an image that exists is used as it is;
# the Debian tree is kept under $LOOP_FINALE_CACHE (default ~/.cache/loop-finale-bridge) for rebuilds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf '%s\n' "$*" >&2; }

# shellcheck source=/dev/null
. /etc/os-release
suite=${DEBIAN_SUITE:-$VERSION_CODENAME}
cache=${LOOP_FINALE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/loop-finale-bridge}
repository=loop-finale-test-postgres
image="$repository:$suite-$(cat "$here"/*.sh | sha256sum | cut -c1-12)"

if docker image inspect "$image" >/dev/null 2>&1; then
  log "using the existing image $image"
  echo "$image"
  exit 0
fi

tree="$cache/rootfs-$suite-postgresql"
if [ ! -e "$tree/.complete" ]; then
  # The machine's own Debian mirror, as apt is set up; debootstrap's default otherwise.
  mirror=${DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' |
    awk -v suite="$suite" '$2 == suite { print $1; exit }')}
  log "debootstrap: a minimal $suite tree with postgresql (log: $cache/debootstrap.log)"
  mkdir -p "$cache"
  rm -rf "$tree" "$tree.partial"
  if ! debootstrap --variant=minbase --include=postgresql "$suite" "$tree.partial" ${mirror:+"$mirror"} \
    >"$cache/debootstrap.log" 2>&1; then
    tail -n 30 "$cache/debootstrap.log" >&2
    exit 1
  fi
  # The entrypoint initialises its own data directory: drop the cluster Debian creates on install, and the
  # package caches and documentation nothing in a container reads.
  rm -rf "$tree.partial"/etc/postgresql/*/main "$tree.partial"/var/lib/postgresql/*/main \
    "$tree.partial"/var/cache/apt/archives/*.deb "$tree.partial"/var/lib/apt/lists/* \
    "$tree.partial"/usr/share/doc/* "$tree.partial"/usr/share/man/* "$tree.partial"/usr/share/locale/*
  touch "$tree.partial/.complete"
  mv "$tree.partial" "$tree"
fi

pgbin=$(cd "$tree" && ls -d usr/lib/postgresql/*/bin | sort -V | tail -n 1)
install -m 755 "$here/entrypoint.sh" "$tree/usr/local/bin/docker-entrypoint.sh"
log "docker import: $image"
tar -C "$tree" --numeric-owner --exclude=./.complete --exclude='./dev/*' --exclude='./proc/*' \
  --exclude='./sys/*' -c . |
  docker import \
    -c "ENV PATH=/$pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    -c 'CMD ["postgres"]' \
    - "$image" >/dev/null

# Earlier builds of this image are not used any more.
docker image ls "$repository" --format '{{.Repository}}:{{.Tag}}' | { grep -vxF "$image" || true; } |
  xargs -r docker image rm >/dev/null
echo "$image"
