package dev.kalm.examples.cli;

import picocli.CommandLine;

/**
 * Converters for count options that reject values a run cannot mean, at parse time with picocli's usage error
 * (exit code 2): {@code Invalid value for option '--steps': must be >= 1, got '0'}.
 */
final class Counts {
  private Counts() {}

  /** An int of at least 1. */
  static final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) parse(value, 1, Integer.MAX_VALUE);
    }
  }

  /** An int of at least 0. */
  static final class NonNegativeInt implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) parse(value, 0, Integer.MAX_VALUE);
    }
  }

  /** A long of at least 1. */
  static final class PositiveLong implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return parse(value, 1, Long.MAX_VALUE);
    }
  }

  /** A long of at least 0. */
  static final class NonNegativeLong implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return parse(value, 0, Long.MAX_VALUE);
    }
  }

  private static long parse(String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("must be a whole number in [" + min + ", " + max + "], got '"
          + value + "'");
    }
    if (n < min || n > max) {
      throw new CommandLine.TypeConversionException(n < min ? "must be >= " + min + ", got '" + value + "'"
          : "must be <= " + max + ", got '" + value + "'");
    }
    return n;
  }
}
