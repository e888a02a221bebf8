package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.jspecify.annotations.Nullable;

/**
 * One example as the LLM generated it (before the instruction is put on the query). Immutable.
 *
 * @param type the task type
 * @param query user_query, sentence1 (STS) or source (bitext)
 * @param positive positive_document, sentence2 (STS) or target (bitext)
 * @param negative hard_negative_document for asymmetric types, null for STS and bitext
 * @param score the similarity score in [0, 5] for STS, null otherwise
 */
record SynthExample(
    TaskType type, String query, String positive, @Nullable String negative, @Nullable Double score) {

  public SynthExample {
    checkNotNull(type, "type");
    checkNotNull(query, "query");
    checkNotNull(positive, "positive");
    checkArgument(type.symmetric() == (negative == null),
        "negative must be set exactly for asymmetric task types, got %s for %s", negative, type);
    checkArgument((type == TaskType.STS) == (score != null), "score must be set exactly for sts, got %s for %s",
        score, type);
  }
}
