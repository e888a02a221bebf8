#!/usr/bin/env bash
# The peer benchmark: kalm against ONNX Runtime (embedding) and PyTorch eager (one training step) on the
# same randomly initialised models, the same texts (from this machine's manual pages) and 2 threads,
# engines interleaved in one run, the matmul peak measured in the same run.
#
#   bench/peer-benchmark.sh [WORK_FOLDER]        (default: target/peer-benchmark; needs ~6 GB of disk)
#
# Needs: Java 17, Maven (downloads ONNX Runtime's Java API once, only for this benchmark), and Debian's
# python3-torch and python3-onnx (/usr/bin/python3) for the ONNX export and the PyTorch peer.
# Environment: PRESETS (default "qwen2-0.5b small"), ROUNDS (2), COUNT (texts per set, 200),
# ENGINES (extra --engine specs, e.g. "kalm-16k=kalm,batchTokens=16384"), TRAIN (1 to run the training peer).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mkdir -p "${1:-$root/target/peer-benchmark}" && cd "${1:-$root/target/peer-benchmark}" && pwd)"
python="${PYTHON:-/usr/bin/python3}"
presets="${PRESETS:-qwen2-0.5b small}"

(cd "$root" && mvn -B -q -ntp -Pbench -DskipTests package -pl kalm-bench -am)
cp="$root/kalm-bench/target/kalm-bench.jar:$root/kalm-bench/target/lib/*"

cases=()
for preset in $presets; do
  folder="$work/$preset"
  if [ ! -f "$folder/model.safetensors" ]; then
    "$root/kalm" init --preset "$preset" --output "$folder"
  fi
  if [ ! -f "$work/$preset.onnx" ]; then
    "$python" "$root/bench/export_onnx.py" "$folder" "$work/$preset.onnx"
  fi
  cases+=(--case "$preset documents:documents:$folder:$work/$preset.onnx")
done
last=($presets); last="${last[-1]}"
cases+=(--case "$last queries:queries:$work/$last:$work/$last.onnx")

engines=(--engine "kalm=kalm" --engine "onnxruntime=ort,batch=32,threads=2")
for e in ${ENGINES:-}; do engines+=(--engine "$e"); done

java -Xmx2g -Dai.djl.offline=true -cp "$cp" dev.kalm.bench.PeerBenchmark --texts "$work/texts" --count "${COUNT:-200}" \
  --rounds "${ROUNDS:-2}" --work "$work/out" "${cases[@]}" "${engines[@]}"

if [ "${TRAIN:-1}" = 1 ]; then
  "$root/bench/train-benchmark.sh" "$work"
fi
