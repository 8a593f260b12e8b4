#!/bin/sh
# Builds the Go example node named by $1 (echo, broadcast, lin_kv) and becomes it, with the
# arguments after $1: a scenario's `node = "sh run.sh echo"` runs it with no step of its own. The build goes to a temporary
# folder, renamed into place, so nodes starting at once do not write over each other; Go's
# cache makes every build after the first quick.
set -e
name=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
out="${TMPDIR:-/tmp}/ftsim-go-examples"
mkdir -p "$out"
(cd "$here" && go build -o "$out/$name.$$" "./$name")
mv -f "$out/$name.$$" "$out/$name"
exec "$out/$name" "$@"
