package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.progress.ProgressListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluationHookTest {

  /** Returns scripted main scores, one per call. */
  private static final class Scripted implements Evaluator {
    final Deque<Double> scores;
    int calls;

    Scripted(Double... scores) {
      this.scores = new ArrayDeque<>(List.of(scores));
    }

    @Override
    public EvaluationTask task() {
      return EvaluationTask.STS;
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
      calls++;
      return ResultFileTest.sample(scores.removeFirst());
    }
  }

  private static final Embedder EMBEDDER = new FakeEmbedders.Table(Map.of(), 1);

  @Test
  void evaluatesEveryNStepsAndTracksTheBest() {
    Scripted evaluator = new Scripted(0.3, 0.5, 0.5, 0.4, Double.NaN, 0.6);
    EvaluationHook hook = EvaluationHooks.every(10, evaluator);
    AtomicInteger asked = new AtomicInteger();
    StringBuilder bests = new StringBuilder();
    for (long step = 0; step <= 60; step++) {
      Optional<StepScore> s = hook.afterStep(step, () -> {
        asked.incrementAndGet();
        return EMBEDDER;
      });
      assertEquals(hook.isDue(step), s.isPresent(), "step " + step);
      s.filter(StepScore::newBest).ifPresent(b -> bests.append(b.step()).append(' '));
    }
    assertEquals(6, evaluator.calls);
    assertEquals(6, asked.get(), "the embedder is only asked for on due steps");
    assertEquals("10 20 60 ", bests.toString(), "ties and NaN are not new bests");
    assertEquals(60, hook.best().orElseThrow().step());
    assertEquals(0.6, hook.best().orElseThrow().score());
    assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L), hook.history().stream().map(StepScore::step).toList());
    assertFalse(hook.isDue(0));
  }

  @Test
  void finalEvaluationReusesAJustEvaluatedStep() {
    Scripted evaluator = new Scripted(0.1, 0.2);
    EvaluationHook hook = EvaluationHooks.every(5, evaluator);
    hook.afterStep(5, () -> EMBEDDER);
    StepScore again = hook.evaluate(5, EMBEDDER);
    assertEquals(1, evaluator.calls);
    assertEquals(0.1, again.score());
    StepScore last = hook.evaluate(7, EMBEDDER);
    assertTrue(last.newBest());
    assertEquals(2, hook.history().size());
  }

  @Test
  void stepsMustNotGoBackAndPeriodsMustBePositive() {
    EvaluationHook hook = EvaluationHooks.every(1, new Scripted(0.1, 0.2));
    hook.afterStep(3, () -> EMBEDDER);
    assertThrows(IllegalArgumentException.class, () -> hook.afterStep(2, () -> EMBEDDER));
    assertThrows(IllegalArgumentException.class, () -> EvaluationHooks.every(0, new Scripted()));
    assertTrue(EvaluationHooks.every(3, new Scripted()).best().isEmpty());
  }
}
