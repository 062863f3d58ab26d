#!/usr/bin/env bash
# The GPU measurements of packed training (docs/throughput.md, issue #21) as one command for a
# lent machine with an NVIDIA GPU, where nothing can be downloaded and Deno is not installed.
#
#   bash tools/gpu_session.sh prepare   here: writes .gpu/ (git-ignored): Deno compressed, the
#                                       benches bundled with their npm packages, the GROBID
#                                       corpus and the GPT-2 tokenizer, the Vulkan loader's
#                                       Debian packages
#   bash tools/gpu_session.sh run       there (carry .gpu): the adapter's features and limits,
#                                       the CPU's share of a step (its recording), a training
#                                       step against PyTorch on CUDA (tiny and BERT-base), 16
#                                       tiny models stepping stacked against alone, then the
#                                       default study's runs one at a time and 4 and 16 at a
#                                       time, in flight and stacked; the log in $OUT
#
# `bash tools/gpu_session.sh run` also runs here on lavapipe (slowly) to check the kit.
set -euo pipefail
kit=.gpu
case "${1:-}" in
prepare)
  mkdir -p "$kit/data"
  [ -s "$kit/deno.xz" ] || xz -T2 -c "$(command -v deno)" >"$kit/deno.xz"
  for bench in study_throughput_bench train_step_bench step_recording_bench step_pack_bench; do
    deno bundle --quiet --platform deno -o "$kit/$bench.js" "bench/$bench.ts"
  done
  cp bench/train_step_torch.py "$kit/" # the bundle finds it beside itself
  cp -r ../shared/data/grobid-acknowledgements ../shared/data/tokenizers "$kit/data/"
  lists=/tmp/gpu-session-apt
  mkdir -p "$lists/partial"
  apt=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${apt[@]}" update -qq
  (cd "$kit" && apt-get "${apt[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 \
    libglx0 libgles2)
  du -sh "$kit"
  ;;
run)
  out=${OUT:-/tmp/gpu-session}
  mkdir -p "$out"
  exec > >(tee "$out/gpu-session.log") 2>&1
  if command -v nvidia-smi >/dev/null; then
    for f in "$kit"/*.deb; do dpkg -x "$f" /; done
    ldconfig
    icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
      export VK_DRIVER_FILES=$icd
      export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    fi
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    export NERSS_TORCH_DEVICE=cuda NERSS_PYTHON=python3
  fi
  deno=/tmp/deno-gpu-session
  xz -dc "$kit/deno.xz" >"$deno" && chmod +x "$deno"
  export NERSS_DATA_DIR=$PWD/$kit/data NERSS_CACHE_DIR=/tmp/nerss-cache
  export DENO_WEBGPU_BACKEND=${DENO_WEBGPU_BACKEND:-vulkan} DENO_NO_UPDATE_CHECK=1
  XDG_RUNTIME_DIR=$(mktemp -d) && export XDG_RUNTIME_DIR # Mesa wants one
  "$deno" eval '
    const a = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!a) throw new Error("no WebGPU adapter");
    const limits = {};
    for (const k in a.limits) limits[k] = a.limits[k];
    const { vendor, architecture, device, description } = a.info;
    const info = { vendor, architecture, device, description };
    console.log(JSON.stringify({ info, features: [...a.features].sort(), limits }));'
  timeout 60 "$deno" run -A "$kit/step_recording_bench.js" || echo "step_recording_bench: exit $?"
  timeout "${STEP_TIMEOUT:-150}" "$deno" run -A "$kit/train_step_bench.js" --profile none ||
    echo "train_step_bench: exit $?"
  timeout 90 "$deno" run -A "$kit/step_pack_bench.js" --pack 16 --rounds 2 ||
    echo "step_pack_bench: exit $?"
  timeout "${STUDY_TIMEOUT:-360}" "$deno" run -A "$kit/study_throughput_bench.js" \
    --runs "${RUNS:-64}" --phase-runs 8 --pack "${PACKS:-4,16}" --rounds 1 ||
    echo "study_throughput_bench: exit $?"
  ;;
*)
  echo "usage: bash tools/gpu_session.sh prepare|run" >&2
  exit 2
  ;;
esac
