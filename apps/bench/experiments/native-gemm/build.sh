#!/bin/sh
# Builds openblas-gemm.node (gitignored). Needs gcc, Node's headers (shipped with Node in include/node)
# and Debian's OpenBLAS: apt-get install -y libopenblas0-openmp.
set -eu
cd "$(dirname "$0")"
NODE_INCLUDE="$(dirname "$(readlink -f "$(command -v node)")")/../include/node"
OPENBLAS=${OPENBLAS:-/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0}
gcc -O2 -shared -fPIC -I"$NODE_INCLUDE" -o openblas-gemm.node openblas-gemm.c "$OPENBLAS"
echo "built $(pwd)/openblas-gemm.node"
