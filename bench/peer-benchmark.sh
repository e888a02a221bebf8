#!/usr/bin/env bash
# The peer benchmark: kalm against ONNX Runtime (embedding) and PyTorch eager (one training step) on the
# same randomly initialised models, the same texts (from this machine's manual pages) and 2 threads,
# engines interleaved in one run, the matmul peak measured in the same run.
#
#   bench/peer-benchmark.sh [WORK_FOLDER]        (default: target/peer-benchmark; needs ~6 GB of disk)
#
# Needs: Java 17, Maven (downloads ONNX Runtime's Java API once, only for this benchmark), and Debian's
# python3-torch and python3-onnx (/usr/bin/python3) for the ONNX export and the PyTorch peer.
# Environment: PRESETS (default "qwen2-0.5b small"), ROUNDS (2), COUNT (texts per set, 200), LIMIT_05B (embed only
# the first N documents with qwen2-0.5b, for a busy machine),
# ENGINES (extra --engine specs, e.g. "kalm-16k=kalm,batchTokens=16384"), TRAIN_PRESET (model of the training
# step, default small; empty: no training), TRAIN_SHAPE ("QUERIES NEGATIVES MAX_LENGTH STEPS", default "16 3 128 2"),
# BASELINE (classpath of another kalm build: its training step is timed too, and ENGINES can name it with cp=).
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
  limit=""
  if [ "$preset" = qwen2-0.5b ] && [ -n "${LIMIT_05B:-}" ]; then limit=":$LIMIT_05B"; fi
  cases+=(--case "$preset documents:documents:$folder:$work/$preset.onnx$limit")
done
last=($presets); last="${last[-1]}"
cases+=(--case "$last queries:queries:$work/$last:$work/$last.onnx")

engines=(--engine "kalm=kalm" --engine "onnxruntime=ort,batch=32,threads=2")
for e in ${ENGINES:-}; do engines+=(--engine "$e"); done

train=()
train_preset="${TRAIN_PRESET-small}"
if [ -n "$train_preset" ]; then
  read -r queries negatives max_length steps <<<"${TRAIN_SHAPE:-16 3 128 2}"
  if [ ! -f "$work/$train_preset/model.safetensors" ]; then
    "$root/kalm" init --preset "$train_preset" --output "$work/$train_preset"
  fi
  if [ ! -f "$work/texts/documents.txt" ]; then
    java -cp "$cp" dev.kalm.bench.PeerBenchmark --texts "$work/texts" --count "${COUNT:-200}"
  fi
  batch="$work/train-$train_preset-$queries-$negatives-$max_length.txt"
  java -Dai.djl.offline=true -cp "$cp" dev.kalm.bench.TrainRun write "$work/$train_preset" "$work/texts" "$batch" \
    "$queries" "$negatives" "$max_length"
  train=(--train "$train_preset q$queries+p+n$negatives len<=$max_length:$work/$train_preset:$batch:$steps")
fi

java -Xmx2g -Dai.djl.offline=true -cp "$cp" dev.kalm.bench.PeerBenchmark --texts "$work/texts" --count "${COUNT:-200}" \
  --rounds "${ROUNDS:-2}" --work "$work/out" --python "$python" --train-peer "$root/bench/train_peer.py" \
  "${cases[@]}" "${engines[@]}" "${train[@]}" ${BASELINE:+--train-baseline "$BASELINE"}
