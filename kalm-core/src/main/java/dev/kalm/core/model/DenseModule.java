package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.jspecify.annotations.Nullable;

/**
 * A sentence-transformers {@code Dense} module: {@code y = activation(W x + b)} on the pooled vector, applied after
 * pooling and before normalisation (e.g. stella's {@code 2_Dense_1024}). Immutable; arrays are copied in and out.
 *
 * @param path the module's folder inside the model folder, e.g. {@code 2_Dense_1024}
 * @param inFeatures input width
 * @param outFeatures output width
 * @param activation the activation after the linear map
 * @param weight row-major {@code [outFeatures, inFeatures]} ({@code linear.weight})
 * @param bias {@code [outFeatures]} ({@code linear.bias}), or null when the module has no bias
 */
public record DenseModule(String path, int inFeatures, int outFeatures, Activation activation, float[] weight,
    float @Nullable [] bias) {

  /** The activations kalm supports, by the class name sentence-transformers writes in {@code activation_function}. */
  public enum Activation {
    IDENTITY("torch.nn.modules.linear.Identity"),
    TANH("torch.nn.modules.activation.Tanh");

    private final String torchName;

    Activation(String torchName) {
      this.torchName = torchName;
    }

    /** The fully qualified torch class name written to {@code activation_function}. */
    public String torchName() {
      return torchName;
    }

    /**
     * The activation named {@code torchName} (also accepting the short names {@code Identity} and {@code Tanh}).
     *
     * @throws IllegalArgumentException naming an unsupported activation
     */
    public static Activation fromTorchName(String torchName) {
      for (Activation a : values()) {
        if (a.torchName.equals(torchName) || a.torchName.endsWith("." + torchName)) {
          return a;
        }
      }
      throw new IllegalArgumentException("activation_function '" + torchName
          + "' is not supported (supported: torch.nn.modules.linear.Identity, torch.nn.modules.activation.Tanh)");
    }
  }

  public DenseModule {
    checkNotNull(path, "path");
    checkNotNull(activation, "activation");
    checkArgument(inFeatures > 0 && outFeatures > 0, "in_features and out_features must be > 0, got %s and %s",
        inFeatures, outFeatures);
    checkArgument(weight.length == (long) inFeatures * outFeatures,
        "linear.weight has %s values, expected out_features x in_features = %s x %s", weight.length, outFeatures,
        inFeatures);
    checkArgument(bias == null || bias.length == outFeatures, "linear.bias has %s values, expected out_features = %s",
        bias == null ? 0 : bias.length, outFeatures);
    weight = weight.clone();
    bias = bias == null ? null : bias.clone();
  }

  @Override
  public float[] weight() {
    return weight.clone();
  }

  @Override
  public float @Nullable [] bias() {
    return bias == null ? null : bias.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DenseModule d && d.path.equals(path) && d.inFeatures == inFeatures
        && d.outFeatures == outFeatures && d.activation == activation && java.util.Arrays.equals(d.weight, weight)
        && java.util.Arrays.equals(d.bias, bias);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(path, inFeatures, outFeatures, activation, java.util.Arrays.hashCode(weight),
        java.util.Arrays.hashCode(bias));
  }

  @Override
  public String toString() {
    return "DenseModule[" + path + ": " + inFeatures + " -> " + outFeatures + ", bias " + (bias != null) + ", "
        + activation + "]";
  }
}
