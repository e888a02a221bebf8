/**
 * kalm-train: contrastive training of embedding models (InfoNCE with in-batch and hard negatives, Matryoshka
 * dimensions, gradient caching, AdamW), checkpoints with provenance, and evaluation (retrieval,
 * classification, clustering and the other task kinds).
 *
 * <p>{@code dev.kalm.train.internal} (loss, optimizer, one training step on DJL arrays) is exported to no
 * module: only this module's trainer uses it. kalm-data and kalm-core types appear in the API, so those
 * modules (and Guava) are read transitively; Gson, used inside, plainly.
 */
module dev.kalm.train {
  requires transitive dev.kalm.data;
  requires transitive dev.kalm.core;
  requires transitive com.google.common;
  requires com.google.gson;
  requires ai.djl.api;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.kalm.train;
  exports dev.kalm.train.eval;
  exports dev.kalm.train.optim;
}
