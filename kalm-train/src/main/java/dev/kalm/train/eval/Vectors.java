package dev.kalm.train.eval;

/** Small vector helpers shared by the evaluators. Stateless. */
final class Vectors {
  private Vectors() {}

  /** Dot product accumulated in double. */
  static double dotDouble(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** A unit-length copy of {@code v}; the zero vector stays zero (as sklearn's {@code normalize}). */
  static float[] normalized(float[] v) {
    double norm = Math.sqrt(dotDouble(v, v));
    float[] out = new float[v.length];
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        out[i] = (float) (v[i] / norm);
      }
    }
    return out;
  }

  /** Unit-length copies of the rows. */
  static float[][] normalizedRows(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = normalized(rows[i]);
    }
    return out;
  }

  /** Cosine similarity in double, 0 when either vector is zero (sklearn's {@code 1 - paired_cosine_distances}). */
  static double cosine(float[] a, float[] b) {
    double na = Math.sqrt(dotDouble(a, a));
    double nb = Math.sqrt(dotDouble(b, b));
    return na == 0 || nb == 0 ? 0 : dotDouble(a, b) / (na * nb);
  }

  /** Euclidean distance in double. */
  static double euclidean(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  /** Manhattan (L1) distance in double. */
  static double manhattan(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] - b[i]);
    }
    return s;
  }
}
