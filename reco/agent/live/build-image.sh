#!/bin/sh
# Build the image of the bench stick: Debian live (console only, French keyboard, large console font) with nwipe,
# smartmontools, lshw, dmidecode, python3 and reco-agent. Not part of CI.
# Usage (as root, on Debian, with live-build installed: apt install live-build):
#   sudo reco/agent/live/build-image.sh [output folder]        (default dist/live; about 10 to 20 minutes, ~1 GB)
# Then write dist/live/reco-banc.iso to a stick and add its writable partition (see the README, « Clé USB du banc »).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/dist/live}" && cd "${1:-$ROOT/dist/live}" && pwd)
DISTRIBUTION=${RECO_LIVE_DISTRIBUTION:-bookworm}

command -v lb >/dev/null || { echo "live-build manque : apt install live-build" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "À lancer en root (sudo)." >&2; exit 1; }

make -C "$ROOT" -s agent AGENT_PYZ="$OUT/reco-agent.pyz"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

lb config --distribution "$DISTRIBUTION" --archive-areas "main contrib non-free-firmware" \
    --binary-images iso-hybrid --debian-installer none --memtest none --iso-volume RECO-BANC \
    --bootappend-live "boot=live components quiet locales=fr_FR.UTF-8 keyboard-layouts=fr timezone=Europe/Paris \
username=banc"

# The tools the agent runs, Python for the agent, and what a console in French needs.
cat > config/package-lists/reco.list.chroot <<'LIST'
python3
nwipe
smartmontools
lshw
dmidecode
util-linux
sudo
console-setup
kbd
locales
keyboard-configuration
LIST

mkdir -p config/includes.chroot/usr/local/lib config/includes.chroot/usr/local/bin \
    config/includes.chroot/etc/default config/includes.chroot/etc/profile.d config/includes.binary
cp "$OUT/reco-agent.pyz" config/includes.chroot/usr/local/lib/reco-agent.pyz
cp "$HERE/reco-agent.ini.example" config/includes.binary/reco-agent.ini.example

# reco-agent: mounts the stick's writable partition (label RECO-BANC: settings and spool), then runs as root.
cat > config/includes.chroot/usr/local/bin/reco-agent <<'AGENT'
#!/bin/sh
DIR=/media/reco-banc
if ! mountpoint -q "$DIR" && [ -e /dev/disk/by-label/RECO-BANC ]; then
    sudo mkdir -p "$DIR" && sudo mount /dev/disk/by-label/RECO-BANC "$DIR"
fi
exec sudo python3 /usr/local/lib/reco-agent.pyz --config "$DIR/reco-agent.ini" "$@"
AGENT
chmod 755 config/includes.chroot/usr/local/bin/reco-agent

# A large console font (Terminus 16x32) so that the tag and the results read from a step away.
cat > config/includes.chroot/etc/default/console-setup <<'FONT'
ACTIVE_CONSOLES="/dev/tty[1-6]"
CHARMAP="UTF-8"
CODESET="Lat15"
FONTFACE="Terminus"
FONTSIZE="16x32"
FONT
cat > config/includes.chroot/etc/profile.d/reco-agent.sh <<'HELLO'
echo
echo "  Poste du banc Reco"
echo "  reco-agent        décrire la machine à Reco (et imprimer son étiquette)"
echo "  reco-agent erase  effacer ses disques (la clé n'est jamais effacée)"
echo "  reco-agent sync   envoyer ce qui attend sur la clé"
echo
HELLO

lb build
cp live-image-amd64.hybrid.iso "$OUT/reco-banc.iso"
echo "$OUT/reco-banc.iso"
