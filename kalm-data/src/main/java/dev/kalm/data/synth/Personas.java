package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.jsonl.JsonLinesException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Personas for stage 1 of synthesis: short descriptions of people ("A nurse who ...") that steer the
 * brainstormed task instructions towards varied domains, as in Persona Hub.
 */
public final class Personas {
  private Personas() {}

  private static final ImmutableList<String> BUILT_IN = ImmutableList.of(
      "A pediatric nurse who answers worried parents' questions about childhood illnesses and vaccinations.",
      "A backend software engineer who maintains payment systems and reads a lot of API documentation.",
      "A high-school history teacher preparing lessons on the causes of the First World War.",
      "A small-scale organic farmer dealing with crop diseases, soil health and local market regulations.",
      "A patent attorney who searches prior art for mechanical and electrical inventions.",
      "A retired mechanic who restores classic cars and trades parts on online forums.",
      "A graduate student in computational biology who reads papers on protein folding.",
      "A travel blogger planning budget trips across Southeast Asia.",
      "A customer support agent for a telecom company handling billing complaints.",
      "A financial analyst who tracks quarterly earnings reports of renewable energy firms.",
      "A home cook who adapts traditional Sichuan recipes to ingredients available abroad.",
      "An amateur astronomer who photographs deep-sky objects and follows telescope reviews.",
      "A hospital pharmacist checking drug interactions and dosage guidelines.",
      "A city planner working on bicycle infrastructure and public transport schedules.",
      "A game designer balancing mechanics for a multiplayer strategy game.",
      "A human-resources manager writing job descriptions and answering questions on labour law.",
      "A climate scientist summarising research on sea-level rise for policy makers.",
      "A secondary-school student preparing for national mathematics and physics exams.",
      "A musician who teaches guitar online and writes reviews of audio equipment.",
      "A volunteer at an animal shelter who advises adopters on pet care and training.",
      "An e-commerce seller who writes product listings and studies customer reviews.",
      "A legal aid lawyer helping tenants understand their rights in housing disputes.");

  /** A fixed list of 22 varied personas, used when no persona file is given. */
  public static ImmutableList<String> builtIn() {
    return BUILT_IN;
  }

  /**
   * Reads personas from JSON Lines with a string field {@code persona} per line (Persona Hub layout; other
   * fields ignored; plain or {@code .gz}). List index = position in the file, counting non-blank lines.
   *
   * @throws JsonLinesException for a line without a non-blank string {@code persona}, naming file, line and field
   * @throws UncheckedIOException when the file cannot be read
   * @throws IllegalArgumentException when the file has no personas
   */
  public static ImmutableList<String> read(Path file) {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      lines.forEach(l -> {
        String p = l.string("persona").strip();
        if (p.isEmpty()) {
          throw l.error("persona", "must not be blank");
        }
        out.add(p);
      });
    }
    ImmutableList<String> personas = out.build();
    checkArgument(!personas.isEmpty(), "persona file %s has no personas", file);
    return personas;
  }

  /**
   * Indices of {@code min(limit, count)} personas in a seeded random order. Deterministic for a seed; the
   * pick for a smaller limit is a prefix of the pick for a larger one (raising the limit extends a run).
   *
   * @throws IllegalArgumentException when count or limit is below 1
   */
  public static ImmutableList<Integer> sample(int count, int limit, long seed) {
    checkArgument(count >= 1, "count must be at least 1, got %s", count);
    checkArgument(limit >= 1, "limit must be at least 1, got %s", limit);
    List<Integer> order = new ArrayList<>(IntStream.range(0, count).boxed().toList());
    Collections.shuffle(order, new Random(seed));
    return ImmutableList.copyOf(order.subList(0, Math.min(limit, count)));
  }
}
