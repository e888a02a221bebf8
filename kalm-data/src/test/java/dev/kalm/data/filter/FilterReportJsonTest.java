package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.report.Report;
import org.junit.jupiter.api.Test;

/** A report's JSON stays JSON when a metric is undefined. */
class FilterReportJsonTest {
  @Test
  void nonFiniteMetricsAreLeftOut() {
    FilterReport r = new FilterReport("f", 0, 0, ImmutableMap.of(),
        ImmutableMap.of("rate", Double.NaN, "peak", Double.POSITIVE_INFINITY, "seconds", 1.5), ImmutableList.of());
    Report metrics = (Report) r.toReport().fields().get("metrics");
    assertEquals("{\n  \"seconds\": 1.5\n}\n", metrics.toJson());
  }
}
