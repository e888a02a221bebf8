"""The PyTorch-eager peer of kalm's training step (bench/train-benchmark.sh runs both, interleaved).

    /usr/bin/python3 bench/train_peer.py MODEL_FOLDER BATCH_FILE STEPS [THREADS]

One contrastive step on the batch file TrainRun writes (lines "q|p|n id id ..."): right-padded batches,
masked mean pooling, L2, InfoNCE of every query against every passage (temperature 0.05), backward,
torch.optim.AdamW (lr 1e-5, weight decay 0.01 on all parameters), zero_grad. Prints a RESULT line like
TrainRun: the best step time after one warm-up step, and this process's peak resident memory.
"""

import sys
import time

import torch

import qwen_torch


def padded(rows):
    length = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), length, dtype=torch.int64)
    mask = torch.zeros(len(rows), length, dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids, mask


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return -1


def main(folder, batch_file, steps):
    queries, passages, tokens = [], [], 0
    with open(batch_file) as f:
        for line in f:
            parts = line.split()
            ids = [int(x) for x in parts[1:]]
            tokens += len(ids)
            (queries if parts[0] == "q" else passages).append(ids)
    start = time.time()
    model = qwen_torch.load(folder).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    load_seconds = time.time() - start
    q_ids, q_mask = padded(queries)
    p_ids, p_mask = padded(passages)
    target = torch.arange(len(queries))
    best, first_loss, cpu = float("inf"), 0.0, float("nan")
    for s in range(steps + 1):
        t0, c0 = time.time(), time.process_time()
        scores = model(q_ids, q_mask) @ model(p_ids, p_mask).T / 0.05
        value = torch.nn.functional.cross_entropy(scores, target)
        value.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
        if s == 0:
            first_loss = value.item()
        if s > 0 and time.time() - t0 < best:
            best, cpu = time.time() - t0, time.process_time() - c0
    print(f"RESULT tokens={tokens} seconds={best:.3f} load_seconds={load_seconds:.2f} hwm_mib={peak_mib():.0f} "
          f"first_loss={first_loss:.7f} cpu_seconds={cpu:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
