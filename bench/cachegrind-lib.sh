# Shared by bench/worker-instructions.sh and bench/engine-instructions.sh (sourced, with `set -e` on): a temporary
# copy of the dist folder ($1, default ./dist) in $T that the script may patch, with the repo's node_modules; $S/200000.txt
# and $S/400000.txt, the first lines of the replay bench's trace; per_line A B KEYS... prints, for each cachegrind
# counter KEY, (its value in report B − in report A) / 200000.
DIST=$(realpath "${1:-dist}")
T=$(mktemp -d /tmp/mmreplay-cg.XXXX)
trap 'rm -rf "$T"' EXIT
trace=$(node -e "console.log(require('node:path').join(require('node:os').tmpdir(), 'mmreplay-replay-bench-v3-2000000.txt'))")
[ -f "$trace" ] || { echo "no $trace: run 'node bench/run.js replay' first" >&2; exit 2; }
S=$T
cp -r "$DIST" "$T/dist"
ln -s "$(realpath "$(dirname "$0")/../node_modules")" "$T/node_modules"
for n in 200000 400000; do head -n $((n + 1)) "$trace" > "$S/$n.txt"; done

per_line() {
  local a=$1 b=$2 k x y
  shift 2
  for k in "$@"; do
    x=$(awk -v k="$k" '$0 ~ k {gsub(",","",$4); print $4}' "$a")
    y=$(awk -v k="$k" '$0 ~ k {gsub(",","",$4); print $4}' "$b")
    echo "$k per line: $(( (y - x) / 200000 ))"
  done
}
