package dev.kalm.train.optim;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.model.Autograd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, as {@code torch.optim.AdamW}: {@code p -= lr*wd*p}, then the Adam
 * update with bias correction, one native in-place call per parameter (see {@link #update}). Also computes the global gradient norm and clips to it (as
 * {@code clip_grad_norm_}). Moment arrays are created up front on the parameters' device and live until
 * {@link #close()}. Not thread-safe.
 */
public final class AdamW implements AutoCloseable {
  /** Hyper-parameters. */
  public record Settings(double beta1, double beta2, double eps, double weightDecay, boolean decayNormsAndBiases) {
    public Settings {
      checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
      checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
      checkArgument(eps > 0, "eps must be > 0, got %s", eps);
      checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
    }
  }

  private final ImmutableMap<String, NDArray> parameters;
  private final Settings settings;
  private final NDManager manager;
  private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
  private long step;

  /** An optimizer over {@code parameters} (by name; norms are named {@code *norm.weight}, biases {@code *.bias}). */
  public AdamW(Map<String, NDArray> parameters, Settings settings) {
    this.parameters = ImmutableMap.copyOf(parameters);
    this.settings = settings;
    this.manager = this.parameters.values().iterator().next().getManager().newSubManager();
    this.parameters.forEach((name, p) -> {
      firstMoment.put(name, manager.zeros(p.getShape()));
      secondMoment.put(name, manager.zeros(p.getShape()));
    });
  }

  /** Number of updates applied so far. */
  public long step() {
    return step;
  }

  /** Moment arrays by name ({@code m.<param>} and {@code v.<param>}) for checkpoints; do not close them. */
  public Map<String, NDArray> state() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    firstMoment.forEach((k, v) -> state.put("m." + k, v));
    secondMoment.forEach((k, v) -> state.put("v." + k, v));
    return state;
  }

  /** Restores moments (as written by {@link #state()}) and the update count. */
  public void restore(Map<String, float[]> state, long steps) {
    Autograd.withGradMode(false, () -> {
      for (Map.Entry<String, NDArray> e : state().entrySet()) {
        float[] data = state.get(e.getKey());
        checkArgument(data != null, "optimizer state lacks '%s'", e.getKey());
        try (NDArray loaded = manager.create(data, e.getValue().getShape())) {
          e.getValue().set(loaded.toFloatArray());
        }
      }
    });
    this.step = steps;
  }

  /** Whether weight decay applies to a parameter. */
  public boolean decays(String name) {
    return settings.decayNormsAndBiases() || !(name.endsWith("norm.weight") || name.endsWith(".bias"));
  }

  /** The L2 norm of all gradients together (0 for parameters without one yet). */
  public double gradientNorm() {
    double sum = 0;
    try (NDScope ignored = new NDScope()) {
      for (NDArray p : parameters.values()) {
        NDArray g = p.getGradient();
        sum += g.square().sum().getFloat();
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * Applies one update with learning rate {@code lr}, first scaling gradients by {@code gradientScale}
   * (for clipping). Gradients are left as they are; the caller zeroes them.
   *
   * <p>One native call per parameter ({@link Autograd#adamStep}, in place). That kernel divides by {@code sqrt(v) + eps} without bias corrections, so they are folded in:
   * PyTorch's {@code p -= lr/c1 * m / (sqrt(v)/c2 + eps)} with {@code c1 = 1 - beta1^t}, {@code c2 = sqrt(1 - beta2^t)}
   * equals {@code p -= (lr*c2/c1) * m / (sqrt(v) + eps*c2)}. Its AdamW branch applies the decoupled decay first
   * ({@code p -= lr*wd*p}), as {@code torch.optim.AdamW} does.
   */
  public void update(double lr, double gradientScale) {
    step++;
    // The kernel runs in float: its moments average with weights (1 - beta) and beta^k of the float betas, so the
    // bias corrections use the same float betas (1 - 0.999f is 1.3e-5 off 0.001; corrected with 0.999 instead, every
    // first update would be off by that much).
    float beta1 = (float) settings.beta1();
    float beta2 = (float) settings.beta2();
    double correction1 = 1 - Math.pow(beta1, step);
    double correction2 = Math.sqrt(1 - Math.pow(beta2, step));
    float stepSize = (float) (lr * correction2 / correction1);
    float eps = (float) (settings.eps() * correction2);
    Autograd.withGradMode(false, () -> {
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        NDArray p = e.getValue();
        float decay = settings.weightDecay() > 0 && decays(e.getKey()) ? (float) settings.weightDecay() : 0f;
        try (NDArray g = p.getGradient()) {
          Autograd.adamStep(p, g, firstMoment.get(e.getKey()), secondMoment.get(e.getKey()), (float) lr, stepSize, decay,
              (float) gradientScale, beta1, beta2, eps, true);
        }
      }
    });
  }

  /** Clears every parameter's gradient. */
  public void zeroGradients() {
    parameters.values().forEach(Autograd::zeroGradient);
  }

  @Override
  public void close() {
    manager.close();
  }
}
