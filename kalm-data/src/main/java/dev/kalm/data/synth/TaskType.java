package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The six kinds of synthetic task of E5-mistral, which KaLM follows. Asymmetric types give
 * (query, positive, hard negative) triples whose query carries the instruction; {@link #STS} gives
 * scored paraphrase pairs and {@link #BITEXT} sentence/translation pairs, both symmetric (no instruction
 * on the query). Length bounds are in characters (Java {@code String.length()}) after trimming.
 */
public enum TaskType {
  /** Short query, long document: retrieval. */
  SHORT_LONG("short-long", false, 3, 500, 40, 12_000),
  /** Long query, short document: e.g. text to label, article to title. */
  LONG_SHORT("long-short", false, 40, 12_000, 2, 600),
  /** Short query, short document: e.g. question to related question, keyword to keyword. */
  SHORT_SHORT("short-short", false, 3, 500, 2, 1_000),
  /** Long query, long document: e.g. article to similar article. */
  LONG_LONG("long-long", false, 40, 12_000, 40, 12_000),
  /** Semantic textual similarity: two sentences and a similarity score in [0, 5]. */
  STS("sts", true, 3, 1_000, 3, 1_000),
  /** Bitext: a sentence and its translation. */
  BITEXT("bitext", true, 2, 2_000, 2, 2_000);

  private final String id;
  private final boolean symmetric;
  private final int minQueryChars;
  private final int maxQueryChars;
  private final int minDocumentChars;
  private final int maxDocumentChars;

  TaskType(String id, boolean symmetric, int minQueryChars, int maxQueryChars, int minDocumentChars,
      int maxDocumentChars) {
    this.id = id;
    this.symmetric = symmetric;
    this.minQueryChars = minQueryChars;
    this.maxQueryChars = maxQueryChars;
    this.minDocumentChars = minDocumentChars;
    this.maxDocumentChars = maxDocumentChars;
  }

  /** The name used on the command line, in output lines ({@code task}) and in work keys, e.g. {@code short-long}. */
  public String id() {
    return id;
  }

  /** True for {@link #STS} and {@link #BITEXT}: their queries get no instruction and they have no negative. */
  public boolean symmetric() {
    return symmetric;
  }

  /** Shortest accepted query (user_query / sentence1 / source), in characters. */
  public int minQueryChars() {
    return minQueryChars;
  }

  /** Longest accepted query, in characters. */
  public int maxQueryChars() {
    return maxQueryChars;
  }

  /** Shortest accepted document (positive, hard negative / sentence2 / target), in characters. */
  public int minDocumentChars() {
    return minDocumentChars;
  }

  /** Longest accepted document, in characters. */
  public int maxDocumentChars() {
    return maxDocumentChars;
  }

  /** The JSON fields a generated example of this type has, in prompt order. */
  public ImmutableList<String> fields() {
    return switch (this) {
      case STS -> ImmutableList.of("sentence1", "sentence2", "score");
      case BITEXT -> ImmutableList.of("source", "target");
      default -> ImmutableList.of("user_query", "positive_document", "hard_negative_document");
    };
  }

  /** The type with this {@link #id()} (case-insensitive; {@code _} accepted for {@code -}). @throws IllegalArgumentException listing the ids */
  public static TaskType fromId(String id) {
    checkNotNull(id, "id");
    String norm = id.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    for (TaskType t : values()) {
      if (t.id.equals(norm)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task type '" + id + "'; expected one of " + ids());
  }

  /** Parses a comma-separated list of ids, e.g. {@code "short-long,sts"}. @throws IllegalArgumentException for an unknown or repeated id */
  public static ImmutableList<TaskType> parseList(String ids) {
    checkNotNull(ids, "ids");
    ImmutableList<TaskType> types = Arrays.stream(ids.split(","))
        .filter(s -> !s.isBlank()).map(TaskType::fromId).collect(ImmutableList.toImmutableList());
    checkArgument(!types.isEmpty(), "task types must not be empty, got '%s'", ids);
    checkArgument(types.stream().distinct().count() == types.size(), "task types must not repeat, got '%s'", ids);
    return types;
  }

  /** All ids, comma-separated, in declaration order. */
  public static String ids() {
    return Arrays.stream(values()).map(TaskType::id).collect(Collectors.joining(","));
  }
}
