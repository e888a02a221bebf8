package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import org.junit.jupiter.api.Test;

/** A report's JSON stays JSON when a metric is undefined. */
class FilterReportJsonTest {
  @Test
  void nonFiniteMetricsAreWrittenAsNull() {
    FilterReport r = new FilterReport("f", 0, 0, ImmutableMap.of(),
        ImmutableMap.of("rate", Double.NaN, "peak", Double.POSITIVE_INFINITY, "seconds", 1.5), ImmutableList.of());
    assertEquals("{\"rate\":null,\"peak\":null,\"seconds\":1.5}", r.toJson().get("metrics").toString());
  }
}
