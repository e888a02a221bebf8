package dev.kalm.core.internal.model;

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
import com.sun.jna.Memory;
import dev.kalm.core.device.Backend;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.safetensors.TensorRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

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
 * <p>Two layouts with the same outputs: {@link #create} keeps every parameter in an array of its own (trainable);
 * {@link #createForInference} concatenates each layer's q/k/v and gate/up weights so they run as one GEMM each,
 * and reads the token embedding table's rows from the file as batches use them where the weights' source offers
 * that (a safetensors file), so the table is not held in memory. Without gradient the inference layout runs all
 * layers in one native call per batch ({@link ScriptedEncoder}, a TorchScript method that libtorch compiles at load);
 * otherwise, and where that method does not compile, the forward pass runs operation by operation, in place where it
 * can without gradient (residual adds, SwiGLU, rotary, mask).
 *
 * <p>Thread-safe for concurrent forward passes; {@link #close()} frees the parameters.
 */
public final class Qwen2Model implements AutoCloseable {
  private static final float MASKED = -1e9f;

  private final Qwen2Config config;
  private final Backend backend;
  private final NDManager manager;
  private final ImmutableMap<String, NDArray> parameters;
  /** Inference layout only: per layer {@code qkv.weight} (and {@code qkv.bias}), {@code gate_up.weight}. */
  private final ImmutableMap<String, NDArray> fused;
  /** Inference layout only, where the source offers it: the token embedding table, read row by row on demand. */
  private final @Nullable TensorRows embeddingRows;
  private final Map<Integer, float[][]> ropeTables = new ConcurrentHashMap<>();
  private final @Nullable ScriptedEncoder scripted;

  private Qwen2Model(Qwen2Config config, Backend backend, NDManager manager, ImmutableMap<String, NDArray> parameters,
      ImmutableMap<String, NDArray> fused, @Nullable TensorRows embeddingRows, @Nullable ScriptedEncoder scripted) {
    this.config = config;
    this.backend = backend;
    this.manager = manager;
    this.parameters = parameters;
    this.fused = fused;
    this.embeddingRows = embeddingRows;
    this.scripted = scripted;
  }

  /**
   * Creates a trainable model from float32 weights named as in {@link Qwen2Config#expectedShapes()}; every expected tensor
   * must be present with its shape (extra tensors are ignored). Each parameter is an array of its own.
   *
   * @param source names the weights' origin in error messages
   * @throws IllegalArgumentException naming a missing or mis-shaped tensor
   */
  public static Qwen2Model create(Qwen2Config config, Backend backend, WeightSource weights, String source) {
    NDManager manager = Devices.newManager(backend);
    try {
      ImmutableMap.Builder<String, NDArray> params = ImmutableMap.builder();
      for (Map.Entry<String, long[]> e : config.expectedShapes().entrySet()) {
        Shape expected = new Shape(e.getValue());
        ByteBuffer data = weights.load(e.getKey(), expected);
        NDArray array = manager.create(data, expected, DataType.FLOAT32);
        array.setName(e.getKey());
        params.put(e.getKey(), array);
      }
      return new Qwen2Model(config, backend, manager, params.buildOrThrow(), ImmutableMap.of(), null, null);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Creates a model for inference only, with the same weights and outputs as {@link #create}: each layer's
   * q/k/v projections (weights and biases) and gate/up projections are stored concatenated, so the forward pass
   * runs one GEMM for q, k and v and one for gate and up. The weights are held once: {@link #parameters()}
   * returns views into the concatenated arrays. Where {@code weights} offers {@link WeightSource#rows} for
   * {@code embed_tokens.weight}, the table is read from the file row by row as batches need it and is not among
   * {@link #parameters()}. Such a model cannot be trained (gradients would not reach the views); use
   * {@link #create} for that.
   *
   * @throws IllegalArgumentException naming a missing or mis-shaped tensor
   */
  public static Qwen2Model createForInference(Qwen2Config config, Backend backend, WeightSource weights, String source) {
    return createForInference(config, backend, weights, source, ScriptedEncoder.CODE);
  }

  /**
   * {@link #createForInference(Qwen2Config, Backend, WeightSource, String)} whose forward pass without gradient runs
   * {@code script} (a {@link ScriptedEncoder} code text) in one native call per batch, or, where {@code script} is
   * null or does not compile, operation by operation (tests compare the two).
   */
  static Qwen2Model createForInference(Qwen2Config config, Backend backend, WeightSource weights, String source,
      @Nullable String script) {
    NDManager manager = Devices.newManager(backend);
    TensorRows embeddingRows = null;
    try {
      LinkedHashMap<String, long[]> shapes = config.expectedShapes();
      String table = "embed_tokens.weight";
      embeddingRows = weights.rows(table, new Shape(shapes.get(table)));
      Map<String, NDArray> params = new LinkedHashMap<>();
      ImmutableMap.Builder<String, NDArray> fused = ImmutableMap.builder();
      for (int l = 0; l < config.numLayers(); l++) {
        String p = "layers." + l + ".";
        List<String> qkv = List.of(p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj");
        fused.put(p + "qkv.weight", concatenated(manager, weights, shapes, suffixed(qkv, ".weight"), params));
        if (config.qkvBias()) {
          fused.put(p + "qkv.bias", concatenated(manager, weights, shapes, suffixed(qkv, ".bias"), params));
        }
        fused.put(p + "gate_up.weight", concatenated(manager, weights, shapes,
            List.of(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"), params));
      }
      ImmutableMap.Builder<String, NDArray> ordered = ImmutableMap.builder();
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        if (e.getKey().equals(table) && embeddingRows != null) {
          continue;
        }
        NDArray array = params.get(e.getKey());
        if (array == null) {
          Shape expected = new Shape(e.getValue());
          array = manager.create(weights.load(e.getKey(), expected), expected, DataType.FLOAT32);
          array.setName(e.getKey());
        }
        ordered.put(e.getKey(), array);
      }
      ImmutableMap<String, NDArray> parameters = ordered.buildOrThrow();
      ImmutableMap<String, NDArray> fusedWeights = fused.buildOrThrow();
      ScriptedEncoder scripted = script == null ? null
          : ScriptedEncoder.load(manager, script, scriptWeights(config, parameters, fusedWeights), config);
      return new Qwen2Model(config, backend, manager, parameters, fusedWeights, embeddingRows, scripted);
    } catch (RuntimeException e) {
      manager.close();
      if (embeddingRows != null) {
        embeddingRows.close();
      }
      throw e;
    }
  }

  /** The weights in {@link ScriptedEncoder#load}'s order. */
  private static List<NDArray> scriptWeights(Qwen2Config config, Map<String, NDArray> parameters,
      Map<String, NDArray> fused) {
    List<NDArray> weights = new ArrayList<>();
    NDArray unused = parameters.get("norm.weight");
    for (int l = 0; l < config.numLayers(); l++) {
      String p = "layers." + l + ".";
      weights.add(parameters.get(p + "input_layernorm.weight"));
      weights.add(fused.get(p + "qkv.weight"));
      weights.add(config.qkvBias() ? fused.get(p + "qkv.bias") : unused);
      weights.add(parameters.get(p + "self_attn.o_proj.weight"));
      weights.add(parameters.get(p + "post_attention_layernorm.weight"));
      weights.add(fused.get(p + "gate_up.weight"));
      weights.add(parameters.get(p + "mlp.down_proj.weight"));
      weights.add(config.qkNorm() ? parameters.get(p + "self_attn.q_norm.weight") : unused);
      weights.add(config.qkNorm() ? parameters.get(p + "self_attn.k_norm.weight") : unused);
      weights.add(config.outputBias() ? parameters.get(p + "self_attn.o_proj.bias") : unused);
    }
    weights.add(parameters.get("norm.weight"));
    return weights;
  }

  private static List<String> suffixed(List<String> prefixes, String suffix) {
    return prefixes.stream().map(prefix -> prefix + suffix).toList();
  }

  /**
   * One array holding {@code names} stacked along the first axis, each read straight into its place; the named
   * views into it go to {@code views}.
   */
  private static NDArray concatenated(NDManager manager, WeightSource weights, Map<String, long[]> shapes,
      List<String> names, Map<String, NDArray> views) {
    long rows = 0;
    long rowSize = 1;
    for (String name : names) {
      long[] shape = shapes.get(name);
      rows += shape[0];
      rowSize = shape.length > 1 ? shape[1] : 1;
    }
    Shape whole = shapes.get(names.get(0)).length > 1 ? new Shape(rows, rowSize) : new Shape(rows);
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(Math.multiplyExact(rows * rowSize, 4L)))
        .order(ByteOrder.nativeOrder());
    long[] starts = new long[names.size() + 1];
    for (int i = 0; i < names.size(); i++) {
      Shape shape = new Shape(shapes.get(names.get(i)));
      int bytes = Math.toIntExact(shape.size() * 4);
      weights.loadInto(names.get(i), shape, buffer.slice(Math.toIntExact(starts[i] * rowSize * 4), bytes)
          .order(ByteOrder.nativeOrder()));
      starts[i + 1] = starts[i] + shape.get(0);
    }
    NDArray array = manager.create(buffer, whole, DataType.FLOAT32);
    for (int i = 0; i < names.size(); i++) {
      NDArray view = array.get(starts[i] + ":" + starts[i + 1]);
      view.setName(names.get(i));
      views.put(names.get(i), view);
    }
    return array;
  }

  /** Supplies one tensor's float32 data, checked against its expected shape. */
  @FunctionalInterface
  public interface WeightSource {
    /**
     * The float32 data of tensor {@code name}, which must have {@code shape}, as native-order bytes in a direct
     * buffer that the model then owns. @throws RuntimeException naming the problem
     */
    ByteBuffer load(String name, Shape shape);

    /**
     * Writes the same data as {@link #load} into {@code target} (native order, exactly {@code shape}'s size in
     * bytes). Sources that can read in place override this to skip the intermediate buffer.
     */
    default void loadInto(String name, Shape shape, ByteBuffer target) {
      target.put(load(name, shape));
    }

    /**
     * The rows of the two-dimensional tensor {@code name} (which must have {@code shape}) to read on demand, or
     * null (the default) where this source cannot; {@link #createForInference} asks this of the token embedding
     * table. @throws RuntimeException naming the problem
     */
    default @Nullable TensorRows rows(String name, Shape shape) {
      return null;
    }
  }

  /**
   * Whether a forward pass without gradient runs in one native call ({@link ScriptedEncoder}): the inference layout,
   * where libtorch compiled that pass.
   */
  public boolean runsInOneCall() {
    return scripted != null;
  }

  /** The model's shape. */
  public Qwen2Config config() {
    return config;
  }

  /** The device the parameters live on. */
  public Backend backend() {
    return backend;
  }

  /**
   * Parameters by Hugging Face name (no {@code model.} prefix), in {@link Qwen2Config#expectedShapes()} order; an
   * inference model whose embedding table is read on demand has all but {@code embed_tokens.weight}.
   */
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
    // Without gradient, each layer's intermediates are closed as soon as the layer is done, so memory holds
    // one layer's activations, and elementwise steps write into arrays they own instead of allocating. With
    // gradient they must stay open until backward: an array created from Java data (rope tables, masks) aliases
    // a direct buffer that only its open DJL array keeps alive, and PyTorch may have saved it for backward.
    // Scalar operands go through Scalars for the same reason (the attention scale is in the rope tables).
    boolean inference = !JniUtils.isGradMode();
    Rope rope = rope(batch, length);
    NDArray x = embeddingRows != null ? embedded(ids, embeddingRows)
        : ids.getNDArrayInternal().embedding(ids, param("embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
    if (inference && scripted != null) {
      try (NDArray embeddings = x) { // the method does not write into its input; free it as the other path does
        return scripted.forward(embeddings, mask, attention, rope.cos(), rope.signedSin(), rope.queryCos(),
            rope.querySignedSin());
      }
    }
    NDArray additiveMask = additiveMask(batch, mask, length, attention);
    for (int l = 0; l < config.numLayers(); l++) {
      String p = "layers." + l + ".";
      NDScope layer = inference ? new NDScope() : null;
      NDArray h = rmsNorm(x, param(p + "input_layernorm.weight"), inference);
      NDArray mid = selfAttention(h, p, rope, additiveMask, inference);
      mid = inference ? mid.addi(x) : x.add(mid);
      h = rmsNorm(mid, param(p + "post_attention_layernorm.weight"), inference);
      NDArray out = mlp(h, p, inference);
      out = inference ? out.addi(mid) : mid.add(out);
      if (inference) {
        NDScope.unregister(out);
        layer.close();
        x.close();
      }
      x = out;
    }
    NDArray normed = rmsNorm(x, param("norm.weight"), inference);
    if (inference) {
      x.close();
    }
    return normed;
  }

  /**
   * The embedding rows of {@code ids} read from {@code rows} into native memory, copied into an array of the ids'
   * manager, and the native memory freed at once (so no direct buffer waits for the garbage collector).
   */
  private NDArray embedded(NDArray ids, TensorRows rows) {
    long[] tokens = ids.toLongArray();
    long bytes = Math.multiplyExact(Math.multiplyExact((long) tokens.length, rows.width()), 4L);
    Shape shape = new Shape(ids.getShape().get(0), ids.getShape().get(1), rows.width());
    try (Memory memory = new Memory(Math.max(1, bytes))) {
      ByteBuffer buffer = memory.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
      rows.read(tokens, buffer.asFloatBuffer());
      try (NDArray view = ids.getManager().create(buffer, shape, DataType.FLOAT32)) {
        return view.duplicate(); // the view may alias the native memory, which is freed next
      }
    }
  }

  /**
   * Grouped-query attention. Query head {@code j} uses key/value head {@code j / group}; the {@code group} query
   * heads of a key/value head are stacked along the token axis, so scores and context are plain batched GEMMs
   * ({@code [b*kvHeads, group*t, hd] x [b*kvHeads, hd, t]}) with no broadcast copies of keys and values.
   */
  private NDArray selfAttention(NDArray h, String p, Rope rope, NDArray additiveMask, boolean inference) {
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    int hd = config.headDim();
    int kvHeads = config.numKvHeads();
    int group = config.numHeads() / kvHeads;
    long qWidth = (long) config.numHeads() * hd;
    long kvWidth = (long) kvHeads * hd;
    NDArray q;
    NDArray k;
    NDArray v;
    NDArray qkvWeight = fused.get(p + "qkv.weight");
    if (qkvWeight != null) {
      NDArray qkv = h.getNDArrayInternal().linear(h, qkvWeight, fused.get(p + "qkv.bias")).singletonOrThrow();
      NDList parts = qkv.split(new long[] {qWidth, qWidth + kvWidth}, 2);
      q = parts.get(0);
      k = parts.get(1);
      v = parts.get(2);
    } else {
      q = linear(h, p + "self_attn.q_proj");
      k = linear(h, p + "self_attn.k_proj");
      v = linear(h, p + "self_attn.v_proj");
    }
    q = q.reshape(b, t, kvHeads, group, hd).transpose(0, 2, 3, 1, 4); // [b, kvHeads, group, t, hd]
    k = k.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3); // [b, kvHeads, t, hd]
    v = v.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
    if (config.qkNorm()) { // Qwen3: RMSNorm over head_dim, per head, after the projection and before RoPE
      q = rmsNorm(q, param(p + "self_attn.q_norm.weight"), inference);
      k = rmsNorm(k, param(p + "self_attn.k_norm.weight"), inference);
    }
    q = rope.apply(q, true, inference).reshape(b, kvHeads, group * t, hd); // scaled by 1/sqrt(hd)
    k = rope.apply(k, false, inference);
    NDArray scores = q.matMul(k.swapAxes(-1, -2)).reshape(b, kvHeads, group, t, t);
    scores = inference ? scores.addi(additiveMask) : scores.add(additiveMask);
    NDArray context = scores.softmax(-1).reshape(b, kvHeads, group * t, t).matMul(v); // [b, kvHeads, group*t, hd]
    NDArray merged = context.reshape(b, kvHeads, group, t, hd).transpose(0, 3, 1, 2, 4).reshape(b, t, qWidth);
    return linear(merged, p + "self_attn.o_proj");
  }

  /** SwiGLU: {@code down(silu(gate(h)) * up(h))}; gate and up as one GEMM in the inference layout. */
  private NDArray mlp(NDArray h, String p, boolean inference) {
    NDArray gateUpWeight = fused.get(p + "gate_up.weight");
    NDArray act;
    if (gateUpWeight != null) {
      NDArray gateUp = h.getNDArrayInternal().linear(h, gateUpWeight, null).singletonOrThrow();
      NDList parts = gateUp.split(2, 2);
      NDArray gate = parts.get(0);
      act = gate.getNDArrayInternal().sigmoid();
      act = inference ? act.muli(gate).muli(parts.get(1)) : act.mul(gate).mul(parts.get(1));
    } else {
      NDArray gate = linear(h, p + "mlp.gate_proj");
      NDArray up = linear(h, p + "mlp.up_proj");
      act = inference ? gate.getNDArrayInternal().sigmoid().muli(gate).muli(up) : gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
    }
    return act.getNDArrayInternal().linear(act, param(p + "mlp.down_proj.weight"), null).singletonOrThrow();
  }

  private NDArray linear(NDArray x, String prefix) {
    NDArray bias = parameters.get(prefix + ".bias");
    return x.getNDArrayInternal().linear(x, param(prefix + ".weight"), bias).singletonOrThrow();
  }

  private NDArray rmsNorm(NDArray x, NDArray weight, boolean inference) {
    if (inference) {
      // mean(x^2) as |x|^2 / n: one reading pass over x and no [.., n] temporary (the gradient path keeps the
      // reference's operations); the two differ by float rounding, about 1e-7 relative
      long n = x.getShape().getLastDimension();
      NDArray norm = x.norm(new int[] {-1}, true);
      NDArray inverse = norm.muli(norm).divi(n).addi(config.rmsNormEps()).sqrt().pow(-1);
      return x.mul(inverse).muli(weight);
    }
    // The exponent goes through Scalars: pow saves its operand for backward.
    NDArray inverse = Scalars.pow(x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt(), -1);
    return x.mul(inverse).mul(weight);
  }

  /**
   * Rotary embedding tables {@code [length, headDim]} for one forward pass. {@code x * cos + rotateHalf(x) * sin}
   * is computed as {@code x * cos + swapHalves(x) * signedSin} with {@code signedSin = [-sin, sin]} (one
   * negation less); the query tables carry the attention scale {@code 1/sqrt(headDim)}.
   */
  private record Rope(NDArray cos, NDArray signedSin, NDArray queryCos, NDArray querySignedSin) {
    NDArray apply(NDArray x, boolean query, boolean inference) {
      long half = x.getShape().getLastDimension() / 2;
      NDArray swapped = NDArrays.concat(new NDList(x.get("..., " + half + ":"), x.get("..., :" + half)), -1);
      NDArray cosTable = query ? queryCos : cos;
      NDArray sinTable = query ? querySignedSin : signedSin;
      return inference ? swapped.muli(sinTable).addi(x.mul(cosTable)) : x.mul(cosTable).add(swapped.mul(sinTable));
    }
  }

  /** The rotary tables on the batch manager (computed once per length in double precision, then cached). */
  private Rope rope(NDManager batch, int length) {
    float[][] tables = ropeTables.computeIfAbsent(length, this::ropeTable);
    Shape shape = new Shape(length, config.headDim());
    return new Rope(batch.create(tables[0], shape), batch.create(tables[1], shape), batch.create(tables[2], shape),
        batch.create(tables[3], shape));
  }

  private float[][] ropeTable(int length) {
    int hd = config.headDim();
    int half = hd / 2;
    double scale = 1.0 / Math.sqrt(hd);
    float[][] t = new float[4][length * hd]; // cos, signed sin, and both times the attention scale
    for (int i = 0; i < half; i++) {
      double inverseFrequency = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / hd);
      for (int pos = 0; pos < length; pos++) {
        double angle = pos * inverseFrequency;
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        int at = pos * hd + i;
        t[0][at] = (float) c;
        t[0][at + half] = (float) c;
        t[1][at] = (float) -s;
        t[1][at + half] = (float) s;
        t[2][at] = (float) (c * scale);
        t[2][at + half] = (float) (c * scale);
        t[3][at] = (float) (-s * scale);
        t[3][at + half] = (float) (s * scale);
      }
    }
    return t;
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
    if (scripted != null) {
      scripted.close();
    }
    manager.close();
    if (embeddingRows != null) {
      embeddingRows.close();
    }
  }
}
