package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.embed.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EvaluationHook} on a fixed period; synchronised. */
final class PeriodicEvaluationHook implements EvaluationHook {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationHook.class);

  private final int every;
  private final Evaluator evaluator;
  private final List<StepScore> history = new ArrayList<>();
  private @Nullable StepScore best;

  PeriodicEvaluationHook(int every, Evaluator evaluator) {
    this.every = every;
    this.evaluator = evaluator;
  }

  @Override
  public Evaluator evaluator() {
    return evaluator;
  }

  @Override
  public int everySteps() {
    return every;
  }

  @Override
  public boolean isDue(long step) {
    return step > 0 && step % every == 0;
  }

  @Override
  public synchronized Optional<StepScore> afterStep(long step, Supplier<? extends Embedder> embedder) {
    checkStep(step);
    if (!isDue(step)) {
      return Optional.empty();
    }
    return Optional.of(evaluate(step, checkNotNull(embedder.get(), "embedder supplied for step %s", step)));
  }

  @Override
  public synchronized StepScore evaluate(long step, Embedder embedder) {
    checkNotNull(embedder, "embedder");
    checkStep(step);
    if (!history.isEmpty() && history.get(history.size() - 1).step() == step) {
      return history.get(history.size() - 1);
    }
    EvaluationResult result = evaluator.evaluate(embedder);
    double score = result.mainScore();
    boolean newBest = !Double.isNaN(score) && (best == null || score > best.score());
    StepScore record = new StepScore(step, score, newBest, result);
    history.add(record);
    if (newBest) {
      best = record;
    }
    LOG.info(String.format(Locale.ROOT, "step %d: %s %s = %.5f (best %.5f at step %d, %.1f s)", step,
        evaluator.name(), result.mainScoreName(), score, best == null ? Double.NaN : best.score(),
        best == null ? -1 : best.step(), result.evaluationSeconds()));
    return record;
  }

  @Override
  public synchronized Optional<StepScore> best() {
    return Optional.ofNullable(best);
  }

  @Override
  public synchronized ImmutableList<StepScore> history() {
    return ImmutableList.copyOf(history);
  }

  private void checkStep(long step) {
    checkArgument(step >= 0, "step must be >= 0, got %s", step);
    long last = history.isEmpty() ? 0 : history.get(history.size() - 1).step();
    checkArgument(step >= last, "step %s is below the last evaluated step %s", step, last);
  }
}
