"""Export a kalm model folder to ONNX (the peer benchmark's ONNX Runtime side).

    /usr/bin/python3 bench/export_onnx.py MODEL_FOLDER OUT.onnx

Inputs input_ids and attention_mask (int64, [batch, length], both axes dynamic); output embeddings
(float32 [batch, hidden], masked mean pooling + L2 inside the graph). Opset 14, constant folding on.

"""

import sys
import time

import torch

import qwen_torch


def main(folder, out):
    start = time.time()
    model = qwen_torch.load(folder).eval()
    ids = torch.randint(0, 1000, (2, 7), dtype=torch.int64)
    mask = torch.ones(2, 7, dtype=torch.int64)
    mask[1, 5:] = 0
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, mask), out,
            input_names=["input_ids", "attention_mask"], output_names=["embeddings"],
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
                          "embeddings": {0: "batch"}},
            opset_version=14, do_constant_folding=True)
    print(f"export_onnx: wrote {out} from {folder} in {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: export_onnx.py MODEL_FOLDER OUT.onnx")
    torch.set_num_threads(2)
    main(sys.argv[1], sys.argv[2])
