package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run asked to stop: checkpoint at the step boundary, a result that says so, and an exact resume. */
class TrainerStopTest {
  @TempDir Path tmp;

  private static final TrainerConfig CONFIG = ContrastiveTrainerTest.config().steps(5).gradAccumulation(2).build();
  private static final List<TrainingExample> DATA = ContrastiveTrainerTest.examples(24);

  /** Trains, calling {@code atStep} after each step with the step number; returns the losses and the result. */
  private static TrainingResult train(Path model, boolean resume, Path output, StopSignal stop, List<Double> losses,
      Consumer<Long> atStep) {
    try (Trainer trainer = resume ? Trainers.resume(model, CONFIG) : Trainers.contrastive(model, CONFIG)) {
      return trainer.train(DATA, output, new TrainingListener() {
        @Override
        public void onStep(StepReport r) {
          losses.add(r.loss());
          atStep.accept(r.step());
        }
      }, stop);
    }
  }

  @Test
  void aStopEndsAfterTheStepWithACheckpointFromWhichResumingGivesTheUninterruptedLosses() {
    List<Double> whole = new ArrayList<>();
    TrainingResult complete = train(TestModels.micro(), false, tmp.resolve("whole"), StopSignal.create(), whole, s -> {});
    assertFalse(complete.stopped());
    assertNull(complete.checkpoint());
    assertEquals(5, whole.size());

    StopSignal stop = StopSignal.create();
    List<Double> head = new ArrayList<>();
    Path out = tmp.resolve("stopped");
    TrainingResult stopped = train(TestModels.micro(), false, out, stop, head, s -> {
      if (s == 2) {
        stop.stop();
      }
    });
    assertTrue(stopped.stopped());
    assertEquals(2, stopped.steps());
    assertEquals(out.resolve("checkpoint-2"), stopped.checkpoint());
    assertEquals(2, stopped.provenance().step(), "the provenance of the stop checkpoint");
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-2/trainer_state.json")));
    assertFalse(Files.exists(out.resolve("model.safetensors")), "no final model for a stopped run");
    assertEquals(whole.subList(0, 2), head);

    List<Double> tail = new ArrayList<>();
    TrainingResult resumed = train(stopped.checkpoint(), true, out, StopSignal.create(), tail, s -> {});
    assertFalse(resumed.stopped());
    assertEquals(5, resumed.steps());
    assertEquals(3, tail.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(whole.get(2 + i), tail.get(i), 1e-6 * Math.abs(whole.get(2 + i)),
          "step " + (3 + i) + ": " + whole + " vs stopped + resumed " + head + tail);
    }
  }

  @Test
  void interruptingTheThreadStopsLikeAStopAndLeavesTheFlagSet() {
    Path out = tmp.resolve("interrupted");
    TrainingResult r;
    try {
      r = train(TestModels.micro(), false, out, StopSignal.create(), new ArrayList<>(), s -> {
        if (s == 3) {
          Thread.currentThread().interrupt();
        }
      });
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is left set");
    } finally {
      Thread.interrupted();
    }
    assertTrue(r.stopped());
    assertEquals(3, r.steps());
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-3/optimizer.safetensors")), "written despite the interrupt");
  }

  @Test
  void stopNowEndsWithoutACheckpointAndAStopBeforeTheFirstStepWritesNothing() {
    StopSignal now = StopSignal.create();
    Path out = tmp.resolve("now");
    assertThrows(StoppedException.class, () -> train(TestModels.micro(), false, out, now, new ArrayList<>(), s -> {
      if (s == 2) {
        now.stopNow();
      }
    }));
    assertFalse(Files.exists(out.resolve("checkpoint-2")));

    StopSignal early = StopSignal.create();
    early.stop();
    Path none = tmp.resolve("none");
    TrainingResult r = train(TestModels.micro(), false, none, early, new ArrayList<>(), s -> {});
    assertTrue(r.stopped());
    assertEquals(0, r.steps());
    assertNull(r.checkpoint());
    assertNull(r.provenance(), "no folder written, no provenance");
    assertFalse(Files.exists(none));
  }
}
