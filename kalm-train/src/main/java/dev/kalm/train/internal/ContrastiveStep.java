package dev.kalm.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.embed.Pooler;
import dev.kalm.core.internal.embed.TokenBatch;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.internal.model.Scalars;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import java.util.ArrayList;
import java.util.List;

/**
 * One contrastive forward/backward pass over a batch of queries and passages, accumulating parameter
 * gradients. With a chunk size, it uses gradient caching (GradCache): embed all chunks without gradient,
 * compute the loss and its gradient with respect to the embeddings once, then re-run each chunk with
 * gradient and back-propagate {@code sum(embedding * dLoss/dEmbedding)}; the accumulated gradient equals the
 * plain pass's. Not thread-safe.
 */
public final class ContrastiveStep {
  private final Qwen2Model model;
  private final Pooling pooling;
  private final Attention attention;
  private final InfoNceLoss loss;
  private final int maxLength;
  private final int chunkSize;

  /**
   * @param chunkSize sequences per forward pass for gradient caching; 0 runs the batch in one plain pass
   */
  public ContrastiveStep(Qwen2Model model, Pooling pooling, Attention attention, InfoNceLoss loss, int maxLength,
      int chunkSize) {
    checkArgument(chunkSize >= 0, "chunkSize must be >= 0, got %s", chunkSize);
    this.model = model;
    this.pooling = pooling;
    this.attention = attention;
    this.loss = loss;
    this.maxLength = maxLength;
    this.chunkSize = chunkSize;
  }

  /**
   * Computes the loss of one batch and adds {@code scale x} its gradient to the parameters' gradients.
   *
   * @param queries token ids of the queries
   * @param passages token ids of the passages: the positive of query i at index i, then any negatives
   * @return the (unscaled) loss
   */
  public double accumulate(List<long[]> queries, List<long[]> passages, double scale) {
    int total = queries.size() + passages.size();
    if (chunkSize == 0 || chunkSize >= total) {
      return plain(queries, passages, scale);
    }
    return cached(queries, passages, scale);
  }

  private double plain(List<long[]> queries, List<long[]> passages, double scale) {
    return Autograd.withGradMode(true, () -> {
      try (NDManager manager = Devices.newManager(model.backend())) {
        NDArray value = loss.compute(pooled(manager, queries), pooled(manager, passages));
        Autograd.backward(Scalars.mul(value, scale));
        return (double) value.getFloat();
      }
    });
  }

  private double cached(List<long[]> queries, List<long[]> passages, double scale) {
    try (NDManager manager = Devices.newManager(model.backend())) {
      // 1. Embeddings of every chunk, without gradient.
      NDArray q = Autograd.withGradMode(false, () -> pooledInChunks(manager, queries));
      NDArray p = Autograd.withGradMode(false, () -> pooledInChunks(manager, passages));
      // 2. Loss and its gradient with respect to the embeddings.
      Autograd.requireGradient(q);
      Autograd.requireGradient(p);
      double value = Autograd.withGradMode(true, () -> {
        NDArray l = loss.compute(q, p);
        Autograd.backward(Scalars.mul(l, scale));
        return (double) l.getFloat();
      });
      NDArray qGradient = q.getGradient().duplicate();
      NDArray pGradient = p.getGradient().duplicate();
      // 3. Each chunk again with gradient, back-propagating the cached embedding gradient.
      replay(queries, qGradient);
      replay(passages, pGradient);
      return value;
    }
  }

  private void replay(List<long[]> sequences, NDArray gradient) {
    for (int start = 0; start < sequences.size(); start += chunkSize) {
      int end = Math.min(sequences.size(), start + chunkSize);
      List<long[]> chunk = sequences.subList(start, end);
      String rows = start + ":" + end;
      Autograd.withGradMode(true, () -> {
        try (NDManager manager = Devices.newManager(model.backend())) {
          NDArray embedding = pooled(manager, chunk);
          NDArray cachedGradient = gradient.get(rows);
          cachedGradient.attach(manager);
          Autograd.backward(embedding.mul(cachedGradient).sum());
        }
      });
    }
  }

  private NDArray pooledInChunks(NDManager manager, List<long[]> sequences) {
    NDList parts = new NDList();
    for (int start = 0; start < sequences.size(); start += chunkSize) {
      NDManager chunkManager = manager.newSubManager();
      NDArray part = pooled(chunkManager, sequences.subList(start, Math.min(sequences.size(), start + chunkSize)));
      part.attach(manager);
      chunkManager.close();
      parts.add(part);
    }
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
  }

  /** Pooled, un-normalised vectors {@code [rows, hidden]} of right-padded sequences. */
  NDArray pooled(NDManager manager, List<long[]> sequences) {
    TokenBatch batch = TokenBatch.rightPadded(new ArrayList<>(sequences), maxLength);
    NDArray hidden = model.forward(batch.ids(manager), batch.mask(manager), attention);
    return Pooler.pool(hidden, batch.poolingWeights(manager, pooling));
  }
}
