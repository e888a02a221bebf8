package dev.kalm.core.embed;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A text put in front of every input before tokenisation. Immutable.
 *
 * <p>KaLM puts instructions on queries only, in the template {@code Instruct: {task} \n Query: {text}}
 * (the spaces around {@code \n} belong to the template); documents get {@link #none()}.
 *
 * <pre>{@code
 * Prompt q = Prompt.instruction("Given a query, retrieve documents that answer the query.");
 * q.apply("how do I list files?"); // "Instruct: Given a query, ... \n Query: how do I list files?"
 * }</pre>
 */
public record Prompt(String prefix) {
  /** The task text KaLM uses for retrieval queries when a dataset gives none. */
  public static final String DEFAULT_RETRIEVAL_TASK = "Given a query, retrieve documents that answer the query.";

  private static final Prompt NONE = new Prompt("");

  public Prompt {
    checkNotNull(prefix, "prefix");
  }

  /** No prompt: the text is embedded as it is. */
  public static Prompt none() {
    return NONE;
  }

  /** A raw prefix, prepended without any separator. */
  public static Prompt raw(String prefix) {
    return new Prompt(prefix);
  }

  /** KaLM's query instruction template {@code "Instruct: " + task + " \n Query: "}. */
  public static Prompt instruction(String task) {
    checkNotNull(task, "task");
    return new Prompt("Instruct: " + task + " \n Query: ");
  }

  /**
   * Qwen3-Embedding's query instruction template {@code "Instruct: " + task + "\nQuery:"} (no spaces around the line
   * break, none after {@code Query:}), as its model card and {@code config_sentence_transformers.json} give it.
   */
  public static Prompt qwen3Instruction(String task) {
    checkNotNull(task, "task");
    return new Prompt("Instruct: " + task + "\nQuery:");
  }

  /** The text with this prompt in front. */
  public String apply(String text) {
    return prefix.isEmpty() ? text : prefix + text;
  }

  /** True when this prompt adds nothing. */
  public boolean isNone() {
    return prefix.isEmpty();
  }
}
