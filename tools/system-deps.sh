#!/bin/sh
# The optional system packages convolab's tests use, installed when this machine allows it.
#   chromium               the browser tests (Playwright drives Debian's Chromium)
#   dataset-fashion-mnist  the real Fashion-MNIST photos for the CNN tests
#   postgresql             the class-drawings store tested against a real PostgreSQL server
# Installs with apt-get as root, or with sudo when it needs no password. Otherwise (or with
# CONVOLAB_NO_SYSTEM_INSTALL=1) it prints one line saying what to run; the tests that need a
# missing package are then skipped with a message (under CI=true they fail instead).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing="$missing dataset-fashion-mnist"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0

hint="convolab: optional system packages missing:$missing; the tests that need them are skipped. Install them with: sudo apt-get install$missing"
if [ "${CONVOLAB_NO_SYSTEM_INSTALL:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$hint"; exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  echo "$hint"; exit 0
fi
echo "convolab: installing system packages:$missing"
if DEBIAN_FRONTEND=noninteractive $as_root apt-get update -qq >/dev/null \
   && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
  exit 0
fi
echo "$hint"
[ "${CI:-}" = true ] && exit 1
exit 0
