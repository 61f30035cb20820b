# Sourced before the README's examples by readme.test.ts: what it adds to a reader's shell.
set -eo pipefail

# curl as written, recording each answer: "<status> <body in base64>" per line in $README_ANSWERS.
curl() {
  local response status
  response=$(command curl -sS -w '\n%{http_code}' "$@")
  status=${response##*$'\n'}
  response=${response%$'\n'*}
  printf '%s\n' "$response"
  printf '%s %s\n' "$status" "$(printf '%s' "$response" | base64 -w0)" >> "$README_ANSWERS"
}

# Commands that run until Ctrl-C: a few seconds of them, then the interrupt a reader would give.
until_interrupted() {
  local code=0
  timeout -s INT 4 "$@" || code=$?
  [ "$code" -eq 0 ] || [ "$code" -eq 124 ] || [ "$code" -eq 130 ]
}
npx() { if [[ " $* " == *" --follow "* ]]; then until_interrupted "$(type -P npx)" "$@"; else command npx "$@"; fi; }
kcat() { if [[ " $* " == *" -G "* ]]; then until_interrupted "$(type -P kcat)" "$@"; else command kcat "$@"; fi; }
