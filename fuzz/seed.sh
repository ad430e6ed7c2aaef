#!/bin/sh
# Seed the fuzz corpora from fixtures/ (and the regression inputs). Re-runnable; the
# corpora are not committed (fuzz/corpus is in .gitignore).
set -eu
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p "$c/decode" "$c/html_page" "$c/text_page" "$c/config" "$c/warc"

# Pages, decompressed as the source stage would (a truncated .gz gives what it can).
for f in $(find fixtures -type f \( -name '*.html' -o -name '*.txt' -o -name '*.html.gz' \)); do
  n=$(echo "$f" | tr '/' '_')
  case "$f" in
    *.gz) gzip -dc "$f" > "$c/html_page/$n" 2>/dev/null || true ;;
    *) cp "$f" "$c/html_page/$n" ;;
  esac
  cp "$c/html_page/$n" "$c/text_page/$n"
  # decode: the first byte selects the hint (see fuzz_targets/decode.rs).
  for sel in 0 1 2; do
    { printf "\\00$sel"; cat "$c/html_page/$n"; } > "$c/decode/$sel-$n"
  done
done

# Config: the shipped config, and the tests' small configs.
cp config.toml "$c/config/default.toml"
for f in $(find fixtures tests examples -name '*.toml' 2>/dev/null); do
  cp "$f" "$c/config/$(echo "$f" | tr '/' '_')"
done

# Small user configs, like the ones users write (and the CLI tests use).
printf 'disable = ["html-share"]\n' > "$c/config/disable.toml"
printf '[[text.rules]]\nname = "broken"\npattern = "("\n' > "$c/config/bad-regex.toml"
printf '[[html.rules]]\nname = "x"\nselector = "div["\n\n[[text.rules]]\nname = "y"\nphrases = ["a"]\nscope = "sideways"\n' > "$c/config/bad-rules.toml"
printf '[limits]\nmax_page_bytes = 1000\n\n[decode]\nmax_error_rate = 0.5\n\n[[html.rules]]\nname = "promo"\nclass_id = "(?i)promo"\nselector = "aside"\n' > "$c/config/limits-and-rule.toml"

# WARC: the fixture as shipped (one gzip member per record) and uncompressed.
cp fixtures/warc/fixtures.warc.gz "$c/warc/members.warc.gz"
gzip -dc fixtures/warc/fixtures.warc.gz > "$c/warc/plain.warc" || true

# Earlier crashes, so a fuzz run starts from them.
if [ -d fixtures/fuzz-regressions ]; then
  for t in decode html_page text_page config warc; do
    [ -d "fixtures/fuzz-regressions/$t" ] && cp fixtures/fuzz-regressions/$t/* "$c/$t/" 2>/dev/null || true
  done
fi
for t in decode html_page text_page config warc; do
  echo "$t: $(ls "$c/$t" | wc -l) seeds"
done
