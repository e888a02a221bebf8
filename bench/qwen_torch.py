"""A plain PyTorch Qwen2/Qwen3 encoder built from a kalm (Hugging Face layout) model folder.

Used by the peer benchmark only: export_onnx.py exports it to ONNX, train_peer.py trains it with
PyTorch eager. Weights are read from model.safetensors with numpy (no transformers, no safetensors
package): the header is 8 bytes of little-endian length, then JSON, then the raw tensors.

The forward pass is the one kalm runs (dev.kalm.core.model.Qwen2Model): RMSNorm, rotary embeddings
(rotate-half convention, theta from config.json), grouped-query attention with an additive mask
(padding keys, plus the causal mask unless bidirectional), SwiGLU MLP, final RMSNorm, then masked mean
pooling and L2 normalisation.
"""

import json
import math
import os
import struct

import numpy as np
import torch
from torch import nn

MASKED = -1e9


def read_safetensors(path):
    """Name -> float32 numpy array for every tensor of one safetensors file (F32, BF16, F16)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            start, end = info["data_offsets"]
            f.seek(base + start)
            raw = f.read(end - start)
            shape = info["shape"]
            if info["dtype"] == "F32":
                arr = np.frombuffer(raw, dtype="<f4")
            elif info["dtype"] == "F16":
                arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
            elif info["dtype"] == "BF16":
                arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
            else:
                raise ValueError(f"{path}: tensor {name}: unsupported dtype {info['dtype']}")
            out[name[6:] if name.startswith("model.") else name] = arr.reshape(shape)
        return out


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, hd = c["hidden_size"], c["head_dim"]
        self.heads, self.kv_heads, self.hd = c["num_attention_heads"], c["num_key_value_heads"], hd
        bias = c["qkv_bias"]
        self.input_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.q_proj = nn.Linear(h, self.heads * hd, bias=bias)
        self.k_proj = nn.Linear(h, self.kv_heads * hd, bias=bias)
        self.v_proj = nn.Linear(h, self.kv_heads * hd, bias=bias)
        self.o_proj = nn.Linear(self.heads * hd, h, bias=False)
        self.q_norm = RMSNorm(hd, c["rms_norm_eps"]) if c["qk_norm"] else None
        self.k_norm = RMSNorm(hd, c["rms_norm_eps"]) if c["qk_norm"] else None
        self.post_attention_layernorm = RMSNorm(h, c["rms_norm_eps"])
        i = c["intermediate_size"]
        self.gate_proj = nn.Linear(h, i, bias=False)
        self.up_proj = nn.Linear(h, i, bias=False)
        self.down_proj = nn.Linear(i, h, bias=False)

    @staticmethod
    def rope(x, cos, sin):
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, self.heads, self.hd).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = self.rope(q, cos, sin), self.rope(k, cos, sin)
        group = self.heads // self.kv_heads
        # Query head j uses key/value head j // group (expand + reshape: exports to ONNX with dynamic shapes).
        k = k[:, :, None].expand(b, self.kv_heads, group, t, self.hd).reshape(b, self.heads, t, self.hd)
        v = v[:, :, None].expand(b, self.kv_heads, group, t, self.hd).reshape(b, self.heads, t, self.hd)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hd) + mask
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, self.heads * self.hd)
        x = x + self.o_proj(context)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(nn.functional.silu(self.gate_proj(h)) * self.up_proj(h))


class Encoder(nn.Module):
    """input_ids, attention_mask [b, t] int64 -> L2-normalised masked-mean embeddings [b, hidden]."""

    def __init__(self, c, causal):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.causal = causal
        hd = c["head_dim"]
        self.register_buffer("inv_freq", torch.tensor(
            [1.0 / (c["rope_theta"] ** (2.0 * i / hd)) for i in range(hd // 2)], dtype=torch.float64), persistent=False)

    def forward(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        positions = torch.arange(t, dtype=torch.float64)
        angles = positions[:, None] * self.inv_freq[None, :]
        angles = torch.cat([angles, angles], dim=-1)
        cos, sin = angles.cos().float(), angles.sin().float()
        keep = attention_mask.to(torch.float32)
        mask = ((1.0 - keep) * MASKED)[:, None, None, :]
        if self.causal:
            causal = torch.triu(torch.full((t, t), MASKED), diagonal=1)
            mask = mask + causal
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        x = self.norm(x)
        pooled = (x * keep[:, :, None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1.0)
        return pooled / pooled.norm(dim=-1, keepdim=True).clamp(min=1e-12)


def load_config(folder):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    c = dict(raw)
    c["head_dim"] = raw.get("head_dim") or raw["hidden_size"] // raw["num_attention_heads"]
    c["rope_theta"] = raw.get("rope_theta") or raw.get("rope_parameters", {}).get("rope_theta", 10000.0)
    qwen3 = raw.get("model_type") == "qwen3"
    c["qk_norm"] = qwen3
    c["qkv_bias"] = raw.get("attention_bias", not qwen3)
    return c


def load(folder, causal=None):
    """The Encoder of a model folder with its weights; causal from config.json's is_causal (default true)."""
    c = load_config(folder)
    if causal is None:
        causal = c.get("is_causal", True)
    model = Encoder(c, causal)
    weights = read_safetensors(os.path.join(folder, "model.safetensors"))
    state = {}
    for name, arr in weights.items():
        key = name.replace(".self_attn.", ".").replace(".mlp.", ".")
        if key == "lm_head.weight":
            continue
        state[key] = torch.from_numpy(arr.copy())
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model
