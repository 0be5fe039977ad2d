#!/usr/bin/env bash
# The GPU check: vggcompare under JAX on the GPU, default matmul precision against highest,
# the GPU against this project's CPU (a result made there, reproduced here), and time per pass.
set -u
# Usage: bash benchmarks/gpu_check.sh WHEELS_DIR  (holds keras, namex, optree and platformdirs wheels, vggcompare's
# own wheel from `pip wheel --no-deps .`, cat.png and cpu_jax.json: a --backend jax result of 16 passes made on a CPU)
D=$(cd "${1:?give the folder of wheels}" && pwd)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site $D/*.whl || exit 1
cd /tmp  # not the repository root: its vggcompare folder would shadow the installed wheel
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3
V="python3 -m vggcompare"
IMG=$D/cat.png
A="--model vgg19-random --seeding once --backend jax --batch-size 16 --quiet"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -c "import jax, keras; print('jax', jax.__version__, 'keras', keras.__version__, jax.devices())"
echo "== run, default matmul precision"; $V run $IMG $A --passes 64 --out $OUT/gpu_default.json | tail -2
echo "== run, highest"; JAX_DEFAULT_MATMUL_PRECISION=highest $V run $IMG $A --passes 64 --out $OUT/gpu_highest.json | tail -2
echo "== compare default (A) with highest (B)"; $V compare $OUT/gpu_default.json $OUT/gpu_highest.json
echo "== reproduce the CPU result, default"; $V reproduce $D/cpu_jax.json --image $IMG --quiet --out $OUT/gpu_repro_default.json
echo "== reproduce the CPU result, highest"; JAX_DEFAULT_MATMUL_PRECISION=highest $V reproduce $D/cpu_jax.json --image $IMG --quiet --out $OUT/gpu_repro_highest.json
python3 - <<'PY'
import json, os
for name in ("gpu_default", "gpu_highest"):
    t = json.load(open(os.path.join(os.environ["OUT"], name + ".json")))["timings"]
    steady = (t["passes_seconds"] - t["first_call_seconds"]) / 48
    print(f"{name}: {steady * 1000:.2f} ms per pass after the first call of 16; first call {t['first_call_seconds']:.2f} s")
PY
