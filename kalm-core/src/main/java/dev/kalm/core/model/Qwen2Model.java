package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.device.Backend;
import dev.kalm.core.embed.Attention;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Qwen2 or Qwen3 decoder used as an encoder: token embeddings, RMSNorm, rotary embeddings, grouped-query
 * attention (Qwen2: q/k/v bias; Qwen3: per-head q/k RMSNorm before the rotary embedding, biases as
 * {@code attention_bias} says), SwiGLU MLP, final norm. Built from DJL operations that PyTorch can
 * differentiate, so the trainer runs the same forward pass with gradients.
 *
 * <p>Parameters live in this model's own manager and are named as in Hugging Face's {@code Qwen2Model} /
 * {@code Qwen3Model} (no {@code model.} prefix). Every array a forward pass creates is attached to the manager of its
 * input ids, so closing that (per-batch) manager frees all activations.
 *
 * <p>Thread-safe for concurrent forward passes; {@link #close()} frees the parameters.
 */
public final class Qwen2Model implements AutoCloseable {
  private static final float MASKED = -1e9f;

  private final Qwen2Config config;
  private final Backend backend;
  private final NDManager manager;
  private final ImmutableMap<String, NDArray> parameters;
  private final Map<Integer, float[][]> ropeTables = new ConcurrentHashMap<>();

  private Qwen2Model(Qwen2Config config, Backend backend, NDManager manager, ImmutableMap<String, NDArray> parameters) {
    this.config = config;
    this.backend = backend;
    this.manager = manager;
    this.parameters = parameters;
  }

  /**
   * Creates a model from float32 weights named as in {@link #expectedShapes}; every expected tensor must be
   * present with its shape (extra tensors are ignored).
   *
   * @param source names the weights' origin in error messages
   * @throws IllegalArgumentException naming a missing or mis-shaped tensor
   */
  public static Qwen2Model create(Qwen2Config config, Backend backend, WeightSource weights, String source) {
    NDManager manager = backend.newManager();
    try {
      ImmutableMap.Builder<String, NDArray> params = ImmutableMap.builder();
      for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
        Shape expected = new Shape(e.getValue());
        ByteBuffer data = weights.load(e.getKey(), expected);
        NDArray array = manager.create(data, expected, DataType.FLOAT32);
        array.setName(e.getKey());
        params.put(e.getKey(), array);
      }
      return new Qwen2Model(config, backend, manager, params.buildOrThrow());
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Supplies one tensor's float32 data, checked against its expected shape. */
  @FunctionalInterface
  public interface WeightSource {
    /**
     * The float32 data of tensor {@code name}, which must have {@code shape}, as native-order bytes in a direct
     * buffer that the model then owns. @throws RuntimeException naming the problem
     */
    ByteBuffer load(String name, Shape shape);
  }

  /** Tensor names and shapes of a Qwen2 or Qwen3 model with this config, in a fixed order. */
  public static LinkedHashMap<String, long[]> expectedShapes(Qwen2Config c) {
    LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    shapes.put("embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "layers." + l + ".";
      shapes.put(p + "input_layernorm.weight", new long[] {h});
      shapes.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.q_proj.bias", new long[] {q});
      }
      shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.k_proj.bias", new long[] {kv});
      }
      shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      shapes.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (c.outputBias()) {
        shapes.put(p + "self_attn.o_proj.bias", new long[] {h});
      }
      if (c.qkNorm()) {
        shapes.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        shapes.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
      shapes.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
      shapes.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
      shapes.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
    }
    shapes.put("norm.weight", new long[] {h});
    return shapes;
  }

  /** The model's shape. */
  public Qwen2Config config() {
    return config;
  }

  /** The device the parameters live on. */
  public Backend backend() {
    return backend;
  }

  /** Parameters by Hugging Face name (no {@code model.} prefix), in {@link #expectedShapes} order. */
  public ImmutableMap<String, NDArray> parameters() {
    return parameters;
  }

  /** A copy of every parameter as float32 arrays, by Hugging Face name (for checkpoints). */
  public Map<String, float[]> snapshot() {
    Map<String, float[]> out = new LinkedHashMap<>();
    parameters.forEach((name, array) -> out.put(name, array.toFloatArray()));
    return out;
  }

  /**
   * Runs the encoder.
   *
   * @param ids token ids, int64 {@code [batch, length]}; its manager receives every intermediate array
   * @param mask 1 for real tokens and 0 for padding, float32 {@code [batch, length]}, same manager
   * @param attention causal or bidirectional; padding keys are masked either way
   * @return final hidden states after the last RMSNorm, float32 {@code [batch, length, hidden]}
   */
  public NDArray forward(NDArray ids, NDArray mask, Attention attention) {
    Shape shape = ids.getShape();
    checkArgument(shape.dimension() == 2, "ids must be [batch, length], got %s", shape);
    checkArgument(mask.getShape().equals(shape), "mask shape %s must equal ids shape %s", mask.getShape(), shape);
    NDManager batch = ids.getManager();
    int length = (int) shape.get(1);
    NDArray[] rope = rope(batch, length);
    NDArray additiveMask = additiveMask(batch, mask, length, attention);
    NDArray x = ids.getNDArrayInternal().embedding(ids, param("embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
    // Without gradient, each layer's intermediates are closed as soon as the layer is done, so memory holds
    // one layer's activations. With gradient they must stay open until backward: PyTorch keeps the tensors
    // it saved, but not the Java buffers behind small constants (scalars) that DJL created for them.
    boolean release = !JniUtils.isGradMode();
    for (int l = 0; l < config.numLayers(); l++) {
      String p = "layers." + l + ".";
      NDScope layer = release ? new NDScope() : null;
      NDArray h = rmsNorm(x, param(p + "input_layernorm.weight"));
      NDArray mid = x.add(selfAttention(h, p, rope, additiveMask));
      h = rmsNorm(mid, param(p + "post_attention_layernorm.weight"));
      NDArray out = mid.add(mlp(h, p));
      if (release) {
        NDScope.unregister(out);
        layer.close();
        x.close();
      }
      x = out;
    }
    NDArray normed = rmsNorm(x, param("norm.weight"));
    if (release) {
      x.close();
    }
    return normed;
  }

  private NDArray selfAttention(NDArray h, String p, NDArray[] rope, NDArray additiveMask) {
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    int hd = config.headDim();
    int kvHeads = config.numKvHeads();
    int group = config.numHeads() / kvHeads;
    // [b, t, heads * hd] -> [b, kvHeads, group, t, hd]: query head h uses key/value head h / group.
    NDArray q = linear(h, p + "self_attn.q_proj").reshape(b, t, kvHeads, group, hd).transpose(0, 2, 3, 1, 4);
    NDArray k = linear(h, p + "self_attn.k_proj").reshape(b, t, kvHeads, 1, hd).transpose(0, 2, 3, 1, 4);
    NDArray v = linear(h, p + "self_attn.v_proj").reshape(b, t, kvHeads, 1, hd).transpose(0, 2, 3, 1, 4);
    if (config.qkNorm()) { // Qwen3: RMSNorm over head_dim, per head, after the projection and before RoPE
      q = rmsNorm(q, param(p + "self_attn.q_norm.weight"));
      k = rmsNorm(k, param(p + "self_attn.k_norm.weight"));
    }
    q = applyRope(q, rope).mul(1.0 / Math.sqrt(hd));
    k = applyRope(k, rope);
    NDArray scores = q.matMul(k.swapAxes(-1, -2)).add(additiveMask);
    NDArray context = scores.softmax(-1).matMul(v); // [b, kvHeads, group, t, hd]
    NDArray merged = context.transpose(0, 3, 1, 2, 4).reshape(b, t, (long) config.numHeads() * hd);
    return linear(merged, p + "self_attn.o_proj");
  }

  private NDArray mlp(NDArray h, String p) {
    NDArray gate = linear(h, p + "mlp.gate_proj");
    NDArray up = linear(h, p + "mlp.up_proj");
    NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
    return act.getNDArrayInternal().linear(act, param(p + "mlp.down_proj.weight"), null).singletonOrThrow();
  }

  private NDArray linear(NDArray x, String prefix) {
    NDArray bias = parameters.get(prefix + ".bias");
    return x.getNDArrayInternal().linear(x, param(prefix + ".weight"), bias).singletonOrThrow();
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray variance = x.square().mean(new int[] {-1}, true);
    return x.mul(variance.add(config.rmsNormEps()).sqrt().pow(-1)).mul(weight);
  }

  private static NDArray applyRope(NDArray x, NDArray[] rope) {
    long half = x.getShape().getLastDimension() / 2;
    NDArray first = x.get("..., :" + half);
    NDArray second = x.get("..., " + half + ":");
    NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
    return x.mul(rope[0]).add(rotated.mul(rope[1]));
  }

  /** cos and sin tables {@code [length, headDim]} on the batch manager, computed in double precision. */
  private NDArray[] rope(NDManager batch, int length) {
    float[][] tables = ropeTables.computeIfAbsent(length, this::ropeTable);
    Shape shape = new Shape(length, config.headDim());
    return new NDArray[] {batch.create(tables[0], shape), batch.create(tables[1], shape)};
  }

  private float[][] ropeTable(int length) {
    int hd = config.headDim();
    int half = hd / 2;
    float[] cos = new float[length * hd];
    float[] sin = new float[length * hd];
    for (int i = 0; i < half; i++) {
      double inverseFrequency = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / hd);
      for (int pos = 0; pos < length; pos++) {
        double angle = pos * inverseFrequency;
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[pos * hd + i] = c;
        cos[pos * hd + i + half] = c;
        sin[pos * hd + i] = s;
        sin[pos * hd + i + half] = s;
      }
    }
    return new float[][] {cos, sin};
  }

  /** {@code [batch, 1, 1, length, length]}: 0 where a query may attend to a key, a large negative elsewhere. */
  private static NDArray additiveMask(NDManager batch, NDArray mask, int length, Attention attention) {
    long b = mask.getShape().get(0);
    NDArray keys = mask.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED).reshape(b, 1, 1, 1, length);
    if (attention == Attention.BIDIRECTIONAL) {
      return keys;
    }
    float[] causal = new float[length * length];
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j < length; j++) {
        causal[i * length + j] = MASKED;
      }
    }
    return keys.add(batch.create(causal, new Shape(1, 1, 1, length, length)));
  }

  private NDArray param(String name) {
    return parameters.get(name);
  }

  @Override
  public void close() {
    manager.close();
  }
}
