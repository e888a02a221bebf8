package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Random;

/**
 * Lloyd's k-means with greedy k-means++ seeding (as scikit-learn: {@code 2 + floor(ln k)} candidates per
 * centre, the one lowering the potential most is kept), several restarts, the lowest inertia wins.
 * Squared Euclidean distances in double. Deterministic for a seed. Stateless.
 */
final class KMeans {
  static final int MAX_ITERATIONS = 300;

  private KMeans() {}

  /** Cluster index of each row, from the restart with the lowest inertia. */
  static int[] cluster(float[][] x, int k, int restarts, long seed) {
    checkArgument(k >= 1 && k <= x.length, "k must be in [1, %s], got %s", x.length, k);
    Random random = new Random(seed);
    int[] best = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int r = 0; r < restarts; r++) {
      int[] assignment = new int[x.length];
      double inertia = run(x, k, new Random(random.nextLong()), assignment);
      if (inertia < bestInertia) {
        bestInertia = inertia;
        best = assignment;
      }
    }
    return best;
  }

  private static double run(float[][] x, int k, Random random, int[] assignment) {
    int n = x.length;
    int dim = x[0].length;
    double[][] centers = seed(x, k, random);
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
        inertia += nearestDistance;
      }
      if (!changed) {
        break;
      }
      double[][] sums = new double[k][dim];
      int[] sizes = new int[k];
      for (int i = 0; i < n; i++) {
        sizes[assignment[i]]++;
        double[] sum = sums[assignment[i]];
        for (int j = 0; j < dim; j++) {
          sum[j] += x[i][j];
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

  private static double[][] seed(float[][] x, int k, Random random) {
    int n = x.length;
    int trials = 2 + (int) Math.log(k);
    double[][] centers = new double[k][];
    centers[0] = toDouble(x[random.nextInt(n)]);
    double[] closest = new double[n];
    double potential = 0;
    for (int i = 0; i < n; i++) {
      closest[i] = squaredDistance(x[i], centers[0]);
      potential += closest[i];
    }
    for (int c = 1; c < k; c++) {
      int bestCandidate = -1;
      double bestPotential = Double.POSITIVE_INFINITY;
      double[] bestClosest = null;
      for (int t = 0; t < trials; t++) {
        int candidate = sample(closest, potential, random);
        double[] candidateClosest = new double[n];
        double candidatePotential = 0;
        for (int i = 0; i < n; i++) {
          candidateClosest[i] = Math.min(closest[i], squaredDistance(x[i], x[candidate]));
          candidatePotential += candidateClosest[i];
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

  /** An index drawn with probability proportional to {@code weights}; uniform when they are all zero. */
  private static int sample(double[] weights, double total, Random random) {
    if (!(total > 0)) {
      return random.nextInt(weights.length);
    }
    double r = random.nextDouble() * total;
    double cumulative = 0;
    for (int i = 0; i < weights.length; i++) {
      cumulative += weights[i];
      if (r < cumulative) {
        return i;
      }
    }
    return weights.length - 1;
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
