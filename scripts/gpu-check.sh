#!/usr/bin/env bash
# gpu-check.sh: run the WebGPU kernel checks and benchmarks on a machine with
# a real GPU (an NVIDIA card through Vulkan) that has no network.
#
#   scripts/gpu-check.sh prepare   # here, on the development machine:
#                                  # builds the test and benchmark binaries
#                                  # into .gpucheck/ and downloads the Vulkan
#                                  # loader .debs into .gl/
#   scripts/gpu-check.sh run       # there, in the repository root, with
#                                  # .gpucheck and .gl carried along:
#                                  # unpacks the loader, runs the cross-check
#                                  # of every kernel (WAGEUBN_REQUIRE_GPU=1),
#                                  # the GEMM/conv benchmarks, wgbench, and
#                                  # PyTorch's matmul on the same GPU as the
#                                  # baseline; writes everything to $OUT (or
#                                  # ./gpucheck-out).
#
# With the device tool of this workplace (see DEVELOPERS.md):
#   scripts/gpu-check.sh prepare
#   run(command="bash scripts/gpu-check.sh run", carry=[".gpucheck", ".gl"], timeout_s=420)
# It needs no network there and finishes in a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

prepare() {
  mkdir -p .gpucheck .gl
  echo "== building test and benchmark binaries (linux/amd64, cgo)"
  # Stripped (-s -w): the carried tree must stay under 64 MiB.
  rm -f .gpucheck/*
  GOOS=linux GOARCH=amd64 go test -c -ldflags='-s -w' -o .gpucheck/gpu.test ./gpu
  GOOS=linux GOARCH=amd64 go build -ldflags='-s -w' -o .gpucheck/wgbench ./cmd/wgbench
  echo "== downloading the Vulkan loader (Debian .debs, unpacked there)"
  mkdir -p /tmp/amd64/partial
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 >/dev/null)
  ls -l .gpucheck .gl
  du -sh .gpucheck .gl
}

run() {
  local out="${OUT:-$PWD/gpucheck-out}"
  mkdir -p "$out"
  if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
    export VK_DRIVER_FILES="$icd"
  fi
  export WAGEUBN_REQUIRE_GPU=1
  {
    echo "== machine"; uname -a; nvidia-smi -L 2>/dev/null || true
    echo "== cross-check of every kernel, both backends"
    (cd gpu && ../.gpucheck/gpu.test -test.v > "$out/gpu-test.log" 2>&1; echo "exit status $?")
    grep -E '^(--- FAIL|FAIL|PASS|panic)|kernels: [0-9]+ compared' "$out/gpu-test.log" | head -60
    echo "$(grep -c '^--- PASS' "$out/gpu-test.log") top-level tests passed, $(grep -c -- '--- FAIL' "$out/gpu-test.log") failures (full log: gpu-test.log)"
    echo "== benchmarks (GOP/s)"
    (cd gpu && ../.gpucheck/gpu.test -test.run XXX -test.bench 'GemmI8|GemmU8I8|GemmTiled|GemmF32|Conv2d' -test.benchtime 5x 2>&1 | grep -E 'Benchmark|ok' | head -80) || true
    echo "== wgbench (webgpu vs gonum on the host CPU)"
    ./.gpucheck/wgbench -backend webgpu -kernels gemm,conv -sizes 512,1024,2048 -runs 5 -json "$out/wgbench.json" 2>&1 || true
    echo "== PyTorch matmul on the same GPU (baseline)"
    python3 - <<'PY' 2>&1 || echo "no PyTorch with CUDA here"
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
  } 2>&1 | tee "$out/gpu-check.log"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
