package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * L2-regularised logistic regression as scikit-learn's {@code LogisticRegression()} defaults (lbfgs, C=1,
 * intercept not penalised): one weight vector with a sigmoid for two classes, a softmax over K weight
 * vectors for more. Minimises {@code mean(log-loss) + ||W||^2 / (2 C n)} with L-BFGS (memory 10,
 * backtracking Armijo line search) from zero, stopping at {@code maxIterations}, when the largest gradient
 * component is {@code <= tolerance} (sklearn: 1e-4), or when the relative loss decrease falls under {@code 64 * eps} (sklearn's
 * lbfgs settings). Deterministic. Immutable once fitted.
 */
final class LogisticRegression {
  private static final int MEMORY = 10;
  /** sklearn's default {@code tol}, passed to scipy's L-BFGS-B as {@code gtol}. */
  static final double SKLEARN_TOLERANCE = 1e-4;
  private static final double LOSS_TOLERANCE = 64 * Math.ulp(1.0);

  private final int classes;
  private final int dim;
  /** Row-major: {@code rows x (dim + 1)}, the last column the intercept; rows = 1 for two classes. */
  private final double[] weights;
  private final int iterations;

  private LogisticRegression(int classes, int dim, double[] weights, int iterations) {
    this.classes = classes;
    this.dim = dim;
    this.weights = weights;
    this.iterations = iterations;
  }

  /**
   * Fits on rows {@code x} with class indices {@code y} in {@code [0, classes)}.
   *
   * @param c inverse regularisation strength (sklearn's {@code C})
   * @param tolerance stop when no gradient component exceeds it ({@link #SKLEARN_TOLERANCE} as sklearn)
   */
  static LogisticRegression fit(float[][] x, int[] y, int classes, double c, int maxIterations, double tolerance) {
    checkArgument(x.length == y.length && x.length > 0, "need as many labels as rows, got %s rows and %s labels",
        x.length, y.length);
    checkArgument(classes >= 2, "need at least 2 classes, got %s", classes);
    int dim = x[0].length;
    Objective f = new Objective(x, y, classes, c);
    int size = f.rows * (dim + 1);
    double[] w = new double[size];
    double[] g = new double[size];
    double loss = f.evaluate(w, g);
    double[][] s = new double[MEMORY][];
    double[][] t = new double[MEMORY][];
    double[] rho = new double[MEMORY];
    int stored = 0;
    int newest = -1;
    int iteration = 0;
    double[] direction = new double[size];
    double[] wNew = new double[size];
    double[] gNew = new double[size];
    while (iteration < maxIterations && maxAbs(g) > tolerance) {
      // Two-loop recursion: direction = -H g.
      System.arraycopy(g, 0, direction, 0, size);
      double[] alpha = new double[MEMORY];
      for (int j = 0; j < stored; j++) {
        int k = Math.floorMod(newest - j, MEMORY);
        alpha[k] = rho[k] * dot(s[k], direction);
        axpy(-alpha[k], t[k], direction);
      }
      double gamma = stored == 0 ? 1 / Math.sqrt(dot(g, g)) : dot(s[newest], t[newest]) / dot(t[newest], t[newest]);
      scale(direction, gamma);
      for (int j = stored - 1; j >= 0; j--) {
        int k = Math.floorMod(newest - j, MEMORY);
        double beta = rho[k] * dot(t[k], direction);
        axpy(alpha[k] - beta, s[k], direction);
      }
      scale(direction, -1);
      double slope = dot(g, direction);
      if (slope >= 0) { // not a descent direction: restart from steepest descent
        stored = 0;
        System.arraycopy(g, 0, direction, 0, size);
        scale(direction, -1 / Math.sqrt(dot(g, g)));
        slope = dot(g, direction);
      }
      double step = 1;
      double newLoss = Double.NaN;
      for (int tries = 0; tries < 50; tries++) {
        for (int i = 0; i < size; i++) {
          wNew[i] = w[i] + step * direction[i];
        }
        newLoss = f.evaluate(wNew, gNew);
        if (newLoss <= loss + 1e-4 * step * slope) {
          break;
        }
        step *= 0.5;
      }
      if (!(newLoss < loss)) {
        break; // no progress possible at this precision
      }
      int slot = (newest + 1) % MEMORY;
      double[] sk = new double[size];
      double[] yk = new double[size];
      for (int i = 0; i < size; i++) {
        sk[i] = wNew[i] - w[i];
        yk[i] = gNew[i] - g[i];
      }
      double sy = dot(sk, yk);
      if (sy > 1e-12) {
        s[slot] = sk;
        t[slot] = yk;
        rho[slot] = 1 / sy;
        newest = slot;
        stored = Math.min(stored + 1, MEMORY);
      }
      double previous = loss;
      System.arraycopy(wNew, 0, w, 0, size);
      System.arraycopy(gNew, 0, g, 0, size);
      loss = newLoss;
      iteration++;
      if ((previous - loss) / Math.max(Math.max(Math.abs(previous), Math.abs(loss)), 1) <= LOSS_TOLERANCE) {
        break;
      }
    }
    return new LogisticRegression(classes, dim, w, iteration);
  }

  /** The predicted class index: the largest decision value, the lowest index on ties (numpy's argmax). */
  int predict(float[] x) {
    if (classes == 2) {
      return decision(x, 0) > 0 ? 1 : 0;
    }
    int best = 0;
    double bestValue = decision(x, 0);
    for (int k = 1; k < classes; k++) {
      double v = decision(x, k);
      if (v > bestValue) {
        best = k;
        bestValue = v;
      }
    }
    return best;
  }

  /** L-BFGS iterations run. */
  int iterations() {
    return iterations;
  }

  /** The decision value of row {@code row} (the only row for two classes). */
  double decision(float[] x, int row) {
    int base = row * (dim + 1);
    double z = weights[base + dim];
    for (int j = 0; j < dim; j++) {
      z += weights[base + j] * x[j];
    }
    return z;
  }

  /** The regularised mean log-loss and its gradient. */
  private static final class Objective {
    final float[][] x;
    final int[] y;
    final int classes;
    final int rows;
    final int dim;
    final double c;

    Objective(float[][] x, int[] y, int classes, double c) {
      this.x = x;
      this.y = y;
      this.classes = classes;
      this.rows = classes == 2 ? 1 : classes;
      this.dim = x[0].length;
      this.c = c;
    }

    double evaluate(double[] w, double[] grad) {
      int n = x.length;
      int stride = dim + 1;
      java.util.Arrays.fill(grad, 0);
      double loss = 0;
      double[] z = new double[rows];
      for (int i = 0; i < n; i++) {
        float[] xi = x[i];
        for (int r = 0; r < rows; r++) {
          int base = r * stride;
          double v = w[base + dim];
          for (int j = 0; j < dim; j++) {
            v += w[base + j] * xi[j];
          }
          z[r] = v;
        }
        if (rows == 1) {
          double sign = y[i] == 1 ? 1 : -1;
          double m = sign * z[0];
          loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
          double p = 1 / (1 + Math.exp(-z[0]));
          z[0] = p - (y[i] == 1 ? 1 : 0);
        } else {
          double max = Double.NEGATIVE_INFINITY;
          for (double v : z) {
            max = Math.max(max, v);
          }
          double sum = 0;
          for (int r = 0; r < rows; r++) {
            sum += Math.exp(z[r] - max);
          }
          double logSum = max + Math.log(sum);
          loss += logSum - z[y[i]];
          for (int r = 0; r < rows; r++) {
            z[r] = Math.exp(z[r] - logSum) - (r == y[i] ? 1 : 0);
          }
        }
        for (int r = 0; r < rows; r++) {
          double d = z[r] / n;
          int base = r * stride;
          for (int j = 0; j < dim; j++) {
            grad[base + j] += d * xi[j];
          }
          grad[base + dim] += d;
        }
      }
      loss /= n;
      double lambda = 1 / (c * n);
      for (int r = 0; r < rows; r++) {
        int base = r * stride;
        for (int j = 0; j < dim; j++) {
          loss += 0.5 * lambda * w[base + j] * w[base + j];
          grad[base + j] += lambda * w[base + j];
        }
      }
      return loss;
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static void scale(double[] x, double a) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= a;
    }
  }

  private static double maxAbs(double[] x) {
    double m = 0;
    for (double v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
