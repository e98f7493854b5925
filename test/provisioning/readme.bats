# The README's "Deploy to a Jetson" section (README.md):
# its wiring table must say what the config defaults and platforms.conf say.
load 'helpers/common'

# "name pin" per default GPIO of the app's config schema, and the I2C devices' default addresses.
schema_defaults() {
  /usr/bin/node -e "
    const { loadConfig } = require('$REPO_ROOT/dist/src/config/load.js');
    const c = loadConfig({ text: 'hardware: { thermometer: { type: mlx90614, bus: 1 }, display: { type: hd44780-pcf8574, bus: 1 } }' });
    for (const g of ['outputs', 'inputs']) for (const [n, p] of Object.entries(c.hardware[g])) console.log(g + '.' + n, p ? p.pin : 'none');
    console.log('thermometer 0x' + c.hardware.thermometer.address.toString(16).toUpperCase());
    console.log('display 0x' + c.hardware.display.address.toString(16).toUpperCase());
  "
}

# The same facts as the table states them.
table_facts() {
  awk -F'|' '
    { for (i = 2; i <= NF; i++) { gsub(/^ +| +$/, "", $i) } }
    $3 ~ /^`hardware\.(outputs|inputs)\./ { key = $3; gsub(/`|hardware\./, "", key); pin = $4; sub(/ .*/, "", pin); print key, pin }
    $3 ~ /^`hardware\.(thermometer|display)`/ { key = $3; gsub(/`|hardware\.| .*/, "", key); addr = $4; sub(/^I2C address /, "", addr); print key, addr }
  ' "$1"
}

@test "README: a 'Deploy to a Jetson' section whose wiring table matches the config defaults" {
  local files=() f
  for f in README.md; do
    if grep -qx '## Deploy to a Jetson' "$REPO_ROOT/$f" 2>/dev/null; then files+=("$REPO_ROOT/$f"); fi
  done
  [ ${#files[@]} -gt 0 ] || fail "no '## Deploy to a Jetson' section in README.md"
  local want
  want=$(schema_defaults | sort)
  [ "$(wc -l <<<"$want")" = 10 ]
  for f in "${files[@]}"; do
    assert_equal_text "$want" "$(table_facts "$f" | sort)"
    grep -qE '^\| I2C SDA \| \(bus 1 Nano, 8 Xavier NX, 7 Orin\) \| 3 \|' "$f"
    grep -qE '^\| I2C SCL \| \(bus 1 Nano, 8 Xavier NX, 7 Orin\) \| 5 \|' "$f"
  done
}

@test "README: the I2C buses it states (1 Nano, 8 Xavier NX, 7 Orin) are the ones platforms.conf provisions" {
  local f="$REPO_ROOT/provisioning/platforms.conf"
  [ "$(awk '$1 == "platform" && $3 == "jetson-nano" { print $12 }' "$f" | sort -u)" = 1 ]
  [ "$(awk '$1 == "platform" && $3 == "jetson-xavier-nx" { print $12 }' "$f" | sort -u)" = 8 ]
  [ "$(awk '$1 == "platform" && $3 == "jetson-orin" { print $12 }' "$f" | sort -u)" = 7 ]
}
