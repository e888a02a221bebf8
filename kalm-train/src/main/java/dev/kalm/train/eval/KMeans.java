package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Random;

/**
 * Lloyd's k-means with greedy k-means++ seeding (as scikit-learn: {@code 2 + floor(ln k)} candidates per
 * centre, the one lowering the potential most is kept), several restarts, the lowest inertia wins; rows
 * may carry integer weights (multiplicities).
 * Squared Euclidean distances in double. Deterministic for a seed. Stateless.
 */
final class KMeans {
  static final int MAX_ITERATIONS = 300;

  private KMeans() {}

  /** Cluster index of each row, from the restart with the lowest inertia. */
  static int[] cluster(float[][] x, int k, int restarts, long seed) {
    int[] ones = new int[x.length];
    java.util.Arrays.fill(ones, 1);
    return cluster(x, ones, k, restarts, seed);
  }

  /**
   * Weighted k-means: row {@code i} counts {@code weights[i]} times (a sample drawn with replacement is its
   * distinct rows weighted by multiplicity, the same clustering as the repeated rows at a fraction of the
   * cost). With all weights 1 the arithmetic is that of plain k-means.
   */
  static int[] cluster(float[][] x, int[] weights, int k, int restarts, long seed) {
    checkArgument(k >= 1 && k <= x.length, "k must be in [1, %s], got %s", x.length, k);
    checkArgument(weights.length == x.length, "weights must have %s entries, got %s", x.length, weights.length);
    Random random = new Random(seed);
    int[] best = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int r = 0; r < restarts; r++) {
      int[] assignment = new int[x.length];
      double inertia = run(x, weights, k, new Random(random.nextLong()), assignment);
      if (inertia < bestInertia) {
        bestInertia = inertia;
        best = assignment;
      }
    }
    return best;
  }

  private static double run(float[][] x, int[] weights, int k, Random random, int[] assignment) {
    int n = x.length;
    int dim = x[0].length;
    double[][] centers = seed(x, weights, k, random);
    java.util.Arrays.fill(assignment, -1);
    double[] distance = new double[n];
    double inertia = 0;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      boolean changed = false;
      inertia = 0;
      for (int i = 0; i < n; i++) {
        int nearest = 0;
        double nearestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double d = squaredDistance(x[i], centers[c]);
          if (d < nearestDistance) {
            nearestDistance = d;
            nearest = c;
          }
        }
        if (assignment[i] != nearest) {
          assignment[i] = nearest;
          changed = true;
        }
        distance[i] = nearestDistance;
        inertia += nearestDistance * weights[i];
      }
      if (!changed) {
        break;
      }
      double[][] sums = new double[k][dim];
      long[] sizes = new long[k];
      for (int i = 0; i < n; i++) {
        sizes[assignment[i]] += weights[i];
        double[] sum = sums[assignment[i]];
        double w = weights[i];
        for (int j = 0; j < dim; j++) {
          sum[j] += x[i][j] * w;
        }
      }
      for (int c = 0; c < k; c++) {
        if (sizes[c] == 0) { // empty cluster: move it onto the point farthest from its centre
          int far = 0;
          for (int i = 1; i < n; i++) {
            if (distance[i] > distance[far]) {
              far = i;
            }
          }
          distance[far] = 0;
          for (int j = 0; j < dim; j++) {
            centers[c][j] = x[far][j];
          }
        } else {
          for (int j = 0; j < dim; j++) {
            centers[c][j] = sums[c][j] / sizes[c];
          }
        }
      }
    }
    return inertia;
  }

  private static double[][] seed(float[][] x, int[] weights, int k, Random random) {
    int n = x.length;
    int trials = 2 + (int) Math.log(k);
    double[][] centers = new double[k][];
    centers[0] = toDouble(x[first(weights, random)]);
    double[] closest = new double[n];
    double potential = 0;
    for (int i = 0; i < n; i++) {
      closest[i] = squaredDistance(x[i], centers[0]);
      potential += closest[i] * weights[i];
    }
    for (int c = 1; c < k; c++) {
      int bestCandidate = -1;
      double bestPotential = Double.POSITIVE_INFINITY;
      double[] bestClosest = null;
      for (int t = 0; t < trials; t++) {
        int candidate = sample(closest, weights, potential, random);
        double[] candidateClosest = new double[n];
        double candidatePotential = 0;
        for (int i = 0; i < n; i++) {
          candidateClosest[i] = Math.min(closest[i], squaredDistance(x[i], x[candidate]));
          candidatePotential += candidateClosest[i] * weights[i];
        }
        if (candidatePotential < bestPotential) {
          bestPotential = candidatePotential;
          bestCandidate = candidate;
          bestClosest = candidateClosest;
        }
      }
      centers[c] = toDouble(x[bestCandidate]);
      closest = bestClosest;
      potential = bestPotential;
    }
    return centers;
  }

  /** The first centre: a uniform draw over the rows, or over the weighted rows when weights differ. */
  private static int first(int[] weights, Random random) {
    boolean unit = true;
    long total = 0;
    for (int w : weights) {
      unit &= w == 1;
      total += w;
    }
    if (unit) {
      return random.nextInt(weights.length);
    }
    long r = (long) (random.nextDouble() * total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** An index drawn with probability proportional to {@code d[i] * w[i]}; uniform when they are all zero. */
  private static int sample(double[] d, int[] w, double total, Random random) {
    if (!(total > 0)) {
      return random.nextInt(d.length);
    }
    double r = random.nextDouble() * total;
    double cumulative = 0;
    for (int i = 0; i < d.length; i++) {
      cumulative += d[i] * w[i];
      if (r < cumulative) {
        return i;
      }
    }
    return d.length - 1;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  private static double squaredDistance(float[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
