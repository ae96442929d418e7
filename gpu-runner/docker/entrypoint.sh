#!/bin/sh
# Starts ComfyUI (loopback only: the runner is the one public door) and the runner; SIGTERM goes
# to the runner first so it can drain (it exits within SHUTDOWN_GRACE_SECONDS, and it still needs
# ComfyUI to interrupt its prompt), then ComfyUI stops. If either process dies, the container exits.
set -eu
cd /opt/ComfyUI
/opt/ComfyUI/.venv/bin/python main.py --listen 127.0.0.1 --port 8188 --disable-auto-launch ${COMFYUI_ARGS:-} &
comfy=$!
node /app/gpu-runner/lib/main.js &
runner=$!

term() {
  kill -TERM "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  kill -TERM "$comfy" 2>/dev/null || true
  wait "$comfy" 2>/dev/null || true
  exit 0
}
trap term TERM INT

# Wake when either child exits; stop the other one and propagate the failure. `sleep & wait`, not
# a bare `sleep`: the shell runs a trap only between commands, and a foreground sleep would hold
# SIGTERM back for up to 2 s of the platform's 10 s grace.
while kill -0 "$comfy" 2>/dev/null && kill -0 "$runner" 2>/dev/null; do sleep 2 & wait $!; done
kill -TERM "$runner" "$comfy" 2>/dev/null || true
wait || true
exit 1
