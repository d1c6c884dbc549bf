#!/usr/bin/env bash
# Builds the C++ core's tests with CMake, once under ThreadSanitizer and once
# under AddressSanitizer, and runs them with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! grep -q 'LOOM_CPP_TESTS' CMakeLists.txt; then
  echo "no C++ tests defined"
  exit 0
fi
for san in tsan asan; do
  dir="build-$san"
  cmake -S . -B "$dir" -DLOOM_CPP_TESTS=ON -DLOOM_SANITIZER="$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$dir" -j 2
  (cd "$dir" && ctest --output-on-failure)
done
