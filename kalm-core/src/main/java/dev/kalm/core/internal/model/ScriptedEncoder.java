package dev.kalm.core.internal.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Qwen2Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference forward pass of {@link Qwen2Model} as one TorchScript method: libtorch compiles the method's text
 * (written below, in TorchScript's serialised form) when the model loads, and each batch then runs every layer in
 * one native call instead of one call per operation. The operations are the eager path's, with {@code rms_norm} and
 * {@code silu} as single operations.
 *
 * <p>Why: on short inputs a pass is hundreds of small operations, and each one through DJL costs a JNI call, Java
 * objects and their bookkeeping, and Java code for the JIT compiler to compile while the batches run; one call per
 * batch leaves that to libtorch's interpreter. The module is written here, not exported from Python: the archive is a
 * zip of four small entries, and libtorch compiles the code text when it loads.
 *
 * <p>The weights are bound once, as one list, at load; {@link #close()} frees the list and the compiled module.
 * Thread-safe: concurrent calls share only read-only state.
 */
final class ScriptedEncoder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptedEncoder.class);
  /** DJL's system property for the graph optimiser of the TorchScript modules it runs. */
  private static final String DJL_OPTIMIZER = "ai.djl.pytorch.graph_optimizer";
  /** Weights per layer in the list that {@link #load} takes. */
  static final int PER_LAYER = 10;
  /**
   * The module object's pickled state (protocol 2): an instance of {@code __torch__.Encoder} with
   * {@code training = False} and {@code _is_full_backward_hook = None}, the attributes every TorchScript module has.
   */
  private static final byte[] STATE = {(byte) 0x80, 2, 'c', '_', '_', 't', 'o', 'r', 'c', 'h', '_', '_', '\n', 'E',
      'n', 'c', 'o', 'd', 'e', 'r', '\n', 'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0, 't', 'r', 'a', 'i', 'n',
      'i', 'n', 'g', 'q', 1, (byte) 0x89, 'X', 22, 0, 0, 0, '_', 'i', 's', '_', 'f', 'u', 'l', 'l', '_', 'b', 'a', 'c',
      'k', 'w', 'a', 'r', 'd', '_', 'h', 'o', 'o', 'k', 'q', 2, 'N', 'u', 'b', 'q', 3, '.'};

  /**
   * The forward pass in TorchScript's serialised form. {@code flags}: causal, q/k/v bias, q/k norm, o bias;
   * {@code shape}: layers, key/value heads, query heads per key/value head, head size. Padding keys get -1e9 (and
   * the keys after a query another -1e9 where causal), as in the operation-by-operation pass.
   */
  static final String CODE = """
      class Encoder(Module):
        __parameters__ = []
        __buffers__ = []
        training : bool
        _is_full_backward_hook : Optional[bool]
        def forward(self: __torch__.Encoder,
          x: Tensor,
          keep: Tensor,
          cos: Tensor,
          sin: Tensor,
          qcos: Tensor,
          qsin: Tensor,
          w: List[Tensor],
          shape: List[int],
          eps: float,
          flags: List[bool]) -> Tensor:
          layers = shape[0]
          kv = shape[1]
          group = shape[2]
          hd = shape[3]
          b = torch.size(x, 0)
          t = torch.size(x, 1)
          hidden = torch.size(x, 2)
          qw = kv * group * hd
          kvw = kv * hd
          half = hd // 2
          mask = torch.reshape(torch.mul(torch.sub(keep.float(), 1.), 1.0e9), [b, 1, 1, 1, t])
          if flags[0]:
            tri = torch.triu(torch.full([t, t], -1.0e9, dtype=x.dtype, device=x.device), 1)
            mask = torch.add(mask, torch.reshape(tri, [1, 1, 1, t, t]))
          for l in range(layers):
            o = l * 10
            h = torch.rms_norm(x, [hidden], w[o], eps)
            if flags[1]:
              qkv = torch.linear(h, w[o + 1], w[o + 2])
            else:
              qkv = torch.linear(h, w[o + 1])
            q = torch.permute(torch.reshape(torch.narrow(qkv, 2, 0, qw), [b, t, kv, group, hd]), [0, 2, 3, 1, 4])
            k = torch.permute(torch.reshape(torch.narrow(qkv, 2, qw, kvw), [b, t, kv, hd]), [0, 2, 1, 3])
            v = torch.permute(torch.reshape(torch.narrow(qkv, 2, qw + kvw, kvw), [b, t, kv, hd]), [0, 2, 1, 3])
            if flags[2]:
              q = torch.rms_norm(q, [hd], w[o + 7], eps)
              k = torch.rms_norm(k, [hd], w[o + 8], eps)
            qs = torch.cat([torch.narrow(q, -1, half, half), torch.narrow(q, -1, 0, half)], -1)
            q = torch.reshape(torch.add_(torch.mul_(qs, qsin), torch.mul(q, qcos)), [b, kv, group * t, hd])
            ks = torch.cat([torch.narrow(k, -1, half, half), torch.narrow(k, -1, 0, half)], -1)
            k = torch.add_(torch.mul_(ks, sin), torch.mul(k, cos))
            scores = torch.reshape(torch.matmul(q, torch.transpose(k, -1, -2)), [b, kv, group, t, t])
            probs = torch.reshape(torch.softmax(torch.add_(scores, mask), -1), [b, kv, group * t, t])
            ctx = torch.reshape(torch.matmul(probs, v), [b, kv, group, t, hd])
            merged = torch.reshape(torch.permute(ctx, [0, 3, 1, 2, 4]), [b, t, qw])
            if flags[3]:
              mid = torch.add_(torch.linear(merged, w[o + 3], w[o + 9]), x)
            else:
              mid = torch.add_(torch.linear(merged, w[o + 3]), x)
            h = torch.rms_norm(mid, [hidden], w[o + 4], eps)
            gu = torch.linear(h, w[o + 5])
            inter = torch.size(gu, 2) // 2
            act = torch.mul_(torch.silu(torch.narrow(gu, 2, 0, inter)), torch.narrow(gu, 2, inter, inter))
            x = torch.add_(torch.linear(act, w[o + 6]), mid)
          return torch.rms_norm(x, [hidden], w[layers * 10], eps)
      """;

  private final PtSymbolBlock module;
  private final IValue weights;
  private final IValue shape;
  private final IValue eps;
  private final IValue causalFlags;
  private final IValue bidirectionalFlags;

  private ScriptedEncoder(PtSymbolBlock module, List<NDArray> weights, Qwen2Config config) {
    this.module = module;
    this.weights = IValue.listFrom(weights.toArray(PtNDArray[]::new));
    this.shape = IValue.listFrom(config.numLayers(), config.numKvHeads(), config.numHeads() / config.numKvHeads(),
        config.headDim());
    this.eps = IValue.from(config.rmsNormEps());
    this.causalFlags = IValue.listFrom(true, config.qkvBias(), config.qkNorm(), config.outputBias());
    this.bidirectionalFlags = IValue.listFrom(false, config.qkvBias(), config.qkNorm(), config.outputBias());
  }

  /**
   * Compiles {@code code} (normally {@link #CODE}) on {@code manager}'s device and binds {@code weights} to it, or
   * returns null, with a warning, where libtorch cannot compile it (another libtorch version than kalm's): the
   * caller then runs the operation-by-operation pass, with the same results, more slowly.
   *
   * @param weights per layer {@link #PER_LAYER} arrays (input norm, qkv weight, qkv bias, o weight, post-attention
   *     norm, gate/up weight, down weight, q norm, k norm, o bias; a place the model does not use holds any array),
   *     then the final norm
   */
  static @Nullable ScriptedEncoder load(NDManager manager, String code, List<NDArray> weights, Qwen2Config config) {
    checkArgument(weights.size() == config.numLayers() * PER_LAYER + 1, "expected %s weights, got %s",
        config.numLayers() * PER_LAYER + 1, weights.size());
    PtSymbolBlock module;
    try {
      module = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive(code)), false, false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("libtorch could not compile kalm's one-call forward pass ({}); running it operation by operation "
          + "(same results, slower)", e.getMessage());
      return null;
    }
    return new ScriptedEncoder(module, weights, config);
  }

  /**
   * Final hidden states {@code [batch, length, hidden]} of the embedded tokens {@code x}, on {@code x}'s manager.
   *
   * @param keep 1 for real tokens and 0 for padding, {@code [batch, length]}
   * @param cos the rotary tables {@code [length, headDim]} as {@link Qwen2Model} makes them (the query tables carry
   *     the attention scale)
   */
  NDArray forward(NDArray x, NDArray keep, Attention attention, NDArray cos, NDArray signedSin, NDArray queryCos,
      NDArray querySignedSin) {
    IValue[] inputs = {IValue.from((PtNDArray) x), IValue.from((PtNDArray) keep), IValue.from((PtNDArray) cos),
        IValue.from((PtNDArray) signedSin), IValue.from((PtNDArray) queryCos), IValue.from((PtNDArray) querySignedSin)};
    // libtorch's graph optimiser (a per-thread flag) would specialise the method for every new batch shape; the
    // plain interpreter runs it as written. Afterwards the flag goes back to what DJL uses for its own modules.
    JniUtils.setGraphExecutorOptimize(false);
    try (IValue out = IValueUtils.runMethod(module, "forward", inputs[0], inputs[1], inputs[2], inputs[3], inputs[4],
        inputs[5], weights, shape, eps, attention == Attention.CAUSAL ? causalFlags : bidirectionalFlags)) {
      return out.toTensor((PtNDManager) x.getManager());
    } finally {
      JniUtils.setGraphExecutorOptimize(Boolean.parseBoolean(System.getProperty(DJL_OPTIMIZER, "true")));
      for (IValue v : inputs) {
        v.close();
      }
    }
  }

  /** A TorchScript archive: the module's pickled state, its code, its (no) constants and the format version. */
  private static byte[] archive(String code) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      stored(zip, "encoder/data.pkl", STATE);
      stored(zip, "encoder/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      stored(zip, "encoder/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
      stored(zip, "encoder/version", new byte[] {'3'});
    }
    return bytes.toByteArray();
  }

  /** Uncompressed, as libtorch's archive reader expects. */
  private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }

  /** Frees the compiled module and the argument lists; the weights belong to the model. Idempotent. */
  @Override
  public void close() {
    weights.close();
    shape.close();
    eps.close();
    causalFlags.close();
    bidirectionalFlags.close();
    module.close();
  }
}
