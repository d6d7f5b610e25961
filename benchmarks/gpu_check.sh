#!/usr/bin/env bash
# Optional check of the translation engine on a lent GPU machine (H100/H200), in under 4 minutes.
#
#   bash benchmarks/gpu_check.sh
#
# With the device tool: run(command="bash benchmarks/gpu_check.sh", carry=[".gpu-wheels"], timeout_s=300).
# .gpu-wheels/ (git-ignored) holds cp312 wheels of what the machine's image lacks: ctranslate2, platformdirs,
# cn2an, pypinyin. Results also go to $OUT/bench-cuda.json and $OUT/bench-cpu2.json when $OUT is set.
#
# That machine has no network: it uses its own python3 (which holds PyTorch with CUDA and transformers)
# plus whatever wheels were carried in .gpu-wheels/ (ctranslate2, platformdirs, ...). It prints the GPU,
# whether torch sees CUDA, then the throughput benchmark on CUDA; where CUDA or a package is missing it
# says so and goes on. A CPU run pinned to 2 cores gives numbers undisturbed by other work, for comparison
# with the 2-core reference machine.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 BRIEF_CACHE_DIR=${BRIEF_CACHE_DIR:-/tmp/brief-cache}
OUT_JSON=${OUT:-/tmp}

echo "== GPU"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi: no NVIDIA GPU here"

echo "== Python packages"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if compgen -G ".gpu-wheels/*.whl" >/dev/null; then
  if "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
       --target /tmp/brief-site .gpu-wheels/*.whl; then
    export PYTHONPATH="/tmp/brief-site:$PYTHONPATH"
  else
    echo "could not install the carried wheels; going on without them"
  fi
fi
"$PY" - <<'EOF'
import importlib
for name in ("torch", "transformers", "sentencepiece", "ctranslate2", "huggingface_hub"):
    try:
        module = importlib.import_module(name)
        print(f"{name} {getattr(module, '__version__', '?')}")
    except Exception as e:
        print(f"{name} missing ({type(e).__name__}: {e})")
EOF
cuda=$("$PY" -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
echo "torch sees CUDA: $cuda"
"$PY" -c 'import ctranslate2; print("ctranslate2 CUDA devices:", ctranslate2.get_cuda_device_count())' 2>/dev/null \
  || echo "ctranslate2 not importable: engines c and d will be reported as failed"

if [ "$cuda" = 1 ]; then
  echo "== Benchmark on CUDA (a, b: transformers fp32; c, d: CTranslate2 int8_float16 if its CUDA libraries load)"
  timeout 120 "$PY" benchmarks/bench_translate.py --device cuda --only abcd \
    --json "$OUT_JSON/bench-cuda.json" || echo "CUDA benchmark failed or timed out (exit $?)"
else
  echo "== No CUDA-enabled torch here: skipping the CUDA benchmark"
fi

echo "== Benchmark on CPU, pinned to 2 cores (c: the pipeline over CTranslate2; o: c vs the bare engine, alternated)"
if command -v taskset >/dev/null; then pin="taskset -c 0,1"; else pin=""; fi
timeout 90 $pin "$PY" benchmarks/bench_translate.py --device cpu --threads 2 --only co --repeat 3 \
  --json "$OUT_JSON/bench-cpu2.json" || echo "CPU benchmark failed or timed out (exit $?)"
