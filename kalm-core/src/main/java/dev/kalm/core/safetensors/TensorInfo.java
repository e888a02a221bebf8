package dev.kalm.core.safetensors;

import com.google.common.primitives.Ints;
import java.util.Arrays;

/**
 * One tensor entry of a safetensors header. Immutable.
 *
 * @param name tensor name as written in the file
 * @param dtype element type
 * @param shape dimensions (empty for a scalar)
 * @param begin first byte of the data, relative to the data section
 * @param end one past the last byte, relative to the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The shape as ints, for tensors that fit in Java arrays. */
  public int[] intShape() {
    return Arrays.stream(shape).mapToInt(Ints::checkedCast).toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape)
        && t.begin == begin && t.end == end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
