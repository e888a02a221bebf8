package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;


/**
 * What a written model folder tells sentence-transformers (and {@link ModelFolder}): pooling, maximum
 * sequence length and the query prompt. Immutable.
 *
 * @param pooling the pooling module's mode
 * @param maxSeqLength {@code sentence_bert_config.json}'s {@code max_seq_length}
 * @param queryPrompt the prompt named {@code query} (documents get the empty prompt {@code document})
 */
public record SentenceTransformerSettings(Pooling pooling, int maxSeqLength, Prompt queryPrompt) {
  public SentenceTransformerSettings {
    checkNotNull(pooling, "pooling");
    checkNotNull(queryPrompt, "queryPrompt");
    checkArgument(maxSeqLength >= 1, "maxSeqLength must be >= 1, got %s", maxSeqLength);
  }

  /** KaLM's settings: mean pooling, 512 tokens, the default retrieval instruction on queries. */
  public static SentenceTransformerSettings kalm() {
    return new SentenceTransformerSettings(Pooling.MEAN, 512, Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK));
  }
}
