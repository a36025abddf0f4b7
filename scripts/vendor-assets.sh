#!/usr/bin/env bash
# Fetch the pinned front-end assets from the npm registry and vendor them under static/vendor/.
# The app serves these files itself: no CDN, and no Node at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.11
USWDS_VERSION=3.14.0
dest=static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version> -> unpacked into $work/<name>/package
  local name=$1 version=$2 dir="$work/${1//\//_}"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$name@$version" >/dev/null && tar -xzf ./*.tgz)
  echo "$dir/package"
}

htmx=$(fetch htmx.org "$HTMX_VERSION")
rm -rf "$dest/htmx" && mkdir -p "$dest/htmx"
cp "$htmx/dist/htmx.min.js" "$dest/htmx/htmx.min.js"
cp "$htmx/LICENSE" "$dest/htmx/LICENSE"
echo "htmx.org $HTMX_VERSION from the npm registry" > "$dest/htmx/VERSION"

uswds=$(fetch @uswds/uswds "$USWDS_VERSION")
rm -rf "$dest/uswds" && mkdir -p "$dest/uswds"
cp -r "$uswds/dist/css" "$uswds/dist/js" "$uswds/dist/fonts" "$uswds/dist/img" "$dest/uswds/"
# Keep what the pages load: minified CSS/JS, the default theme's fonts, the icon sprite.
rm -f "$dest/uswds/css/"*.map "$dest/uswds/js/"*.map "$dest/uswds/css/uswds.css" "$dest/uswds/js/uswds.js"
rm -rf "$dest/uswds/img/material-icons" "$dest/uswds/img/material-icons-deprecated" \
  "$dest/uswds/img/usa-icons-bg" "$dest/uswds/img/hero."* "$dest/uswds/fonts/public-sans"
cp "$uswds/LICENSE.md" "$dest/uswds/LICENSE.md"
echo "@uswds/uswds $USWDS_VERSION from the npm registry" > "$dest/uswds/VERSION"
echo "vendored htmx $HTMX_VERSION and USWDS $USWDS_VERSION into $dest"
