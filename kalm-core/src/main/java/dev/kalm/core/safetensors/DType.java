package dev.kalm.core.safetensors;

/** Element types this reader understands, with their safetensors names and sizes in bytes. */
public enum DType {
  F32(4), BF16(2), F16(2), F64(8), I64(8), I32(4);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** True for the floating-point types converted to float32 by {@link SafetensorsFile#floatBytes}. */
  public boolean isFloat() {
    return this == F32 || this == BF16 || this == F16 || this == F64;
  }
}
