package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The evaluation package's boundary (docs/eval.md, "Where evaluation lives"): {@link Evaluators} is the entry
 * point, the public types are the ones its signatures and the training hook need, everything else (evaluators,
 * metrics, search, k-means, logistic regression, readers) is package-private; the rest of kalm-train uses
 * evaluation only through {@link EvaluationHook}.
 */
class EvaluationBoundaryTest {
  private static final Set<String> PUBLIC_API = Set.of("BitextDirection", "ClusteringMode", "EvaluationConfig", "EvaluationHook",
      "EvaluationHooks", "EvaluationResult", "EvaluationTask", "Evaluator", "Evaluators", "ResultFile", "StepScore");
  private static final Set<String> USED_BY_THE_TRAINER = Set.of("EvaluationHook", "StepScore");

  @Test
  void onlyTheEntryPointAndItsValueTypesArePublic() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(Evaluators.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve("dev/kalm/train/eval");
    Set<String> publicTypes = new TreeSet<>();
    try (Stream<Path> files = Files.list(classes)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".class") && !name.contains("$") && !name.equals("package-info.class")) {
          String simple = name.substring(0, name.length() - ".class".length());
          if (Modifier.isPublic(Class.forName("dev.kalm.train.eval." + simple).getModifiers())) {
            publicTypes.add(simple);
          }
        }
      }
    }
    assertEquals(new TreeSet<>(PUBLIC_API), publicTypes);
  }

  @Test
  void theRestOfTrainingUsesEvaluationOnlyThroughTheHook() throws IOException {
    Path sources = Path.of("src/main/java/dev/kalm/train");
    Pattern use = Pattern.compile("dev\\.kalm\\.train\\.eval\\.(\\w+)");
    Set<String> used = new TreeSet<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (file.toString().endsWith(".java") && !file.startsWith(sources.resolve("eval"))) {
          Matcher m = use.matcher(Files.readString(file));
          while (m.find()) {
            used.add(m.group(1));
          }
        }
      }
    }
    assertEquals(true, USED_BY_THE_TRAINER.containsAll(used), "kalm-train outside eval uses " + used);
  }
}
