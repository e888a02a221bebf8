package dev.kalm.data.filter;

import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Inside each example, removes repeated positives and every negative equal (normalised) to a positive or
 * to an earlier negative; teacher scores stay aligned. Never drops an example.
 */
final class DedupDocumentsFilter implements DataFilter {
  @Override
  public String name() {
    return "dedup-documents";
  }

  @Override
  public Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally) {
    return examples.map(e -> {
      tally.in(1);
      TrainingExample out = dedup(e, tally);
      tally.kept(1);
      return out;
    });
  }

  private static TrainingExample dedup(TrainingExample e, FilterTally tally) {
    Set<String> seen = new HashSet<>();
    List<String> positives = new ArrayList<>();
    List<Double> posScores = new ArrayList<>();
    for (int i = 0; i < e.positives().size(); i++) {
      if (seen.add(Texts.normalize(e.positives().get(i)))) {
        positives.add(e.positives().get(i));
        if (!e.posScores().isEmpty()) {
          posScores.add(e.posScores().get(i));
        }
      }
    }
    List<String> negatives = new ArrayList<>();
    List<Double> negScores = new ArrayList<>();
    for (int i = 0; i < e.negatives().size(); i++) {
      if (seen.add(Texts.normalize(e.negatives().get(i)))) {
        negatives.add(e.negatives().get(i));
        if (!e.negScores().isEmpty()) {
          negScores.add(e.negScores().get(i));
        }
      }
    }
    int removedPositives = e.positives().size() - positives.size();
    int removedNegatives = e.negatives().size() - negatives.size();
    if (removedPositives == 0 && removedNegatives == 0) {
      return e;
    }
    tally.add("positives_removed", removedPositives);
    tally.add("negatives_removed", removedNegatives);
    return e.withPositives(positives, posScores).withNegatives(negatives, negScores);
  }
}
