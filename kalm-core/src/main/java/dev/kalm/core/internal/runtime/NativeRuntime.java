package dev.kalm.core.internal.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.Utils;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of the native runtime that must be in place before libtorch loads (its OpenMP runtime reads its
 * environment once, when it loads) or before its first matrix multiply. Applied once
 * per process by {@link #prepare()}, which every kalm entry point into DJL calls first; each step is skipped
 * where the user set it, where the platform lacks it, or where it fails (logged at debug, never thrown):
 *
 * <ol>
 *   <li>{@code OMP_WAIT_POLICY=PASSIVE} unless set: OpenMP threads sleep between parallel regions instead of
 *       spinning, which on a machine whose cores are busy with other work cost up to 4.5x (short texts, 2 busy
 *       cores). {@code OMP_WAIT_POLICY=ACTIVE} keeps spinning.
 *   <li>On Linux x86-64 AMD CPUs with AVX-512 (Zen 4 and later): MKL, linked into libtorch, runs its AVX2 kernels
 *       on every CPU whose vendor is not Intel. kalm loads {@link MklCpuCheck}'s one-function library into the
 *       global symbol scope so that MKL's vendor check answers yes, and MKL picks its kernels by the CPU's feature
 *       flags: its AVX-512 GEMM, about 2x faster on a Zen 5. {@code -Dkalm.mkl.amdAvx512=false} or
 *       {@code KALM_MKL_AMD_AVX512=0} keeps MKL's default. Where libtorch ran a matrix multiply before kalm
 *       prepared the runtime (another DJL user in the process), MKL has decided already and nothing changes.
 * </ol>
 *
 * <p>Not set: {@code THP_MEM_ALLOC_ENABLE=1} (libtorch's allocations of 2 MB and more on transparent huge pages)
 * made embedding qwen2-0.5b 4 % faster but a training step 30 % slower, with more memory in both.
 */
public final class NativeRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);
  private static final int RTLD_NOW = 0x2;
  private static final int RTLD_GLOBAL = 0x100;
  private static final Set<String> AVX512 = Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq");

  /** The loaded vendor-check library; held so that it is never unloaded. */
  private static volatile @Nullable NativeLibrary mklCpuCheck;

  private NativeRuntime() {}

  /** Applies the settings when first touched (class initialisation runs once, thread-safely). */
  private static final class Once {
    static {
      apply();
    }

    static void touch() {}
  }

  /** Applies the settings once per process; later calls return at once. */
  public static void prepare() {
    Once.touch();
  }

  /** Whether {@link #prepare()} loaded the library that lets MKL run its AVX-512 kernels on an AMD CPU. */
  public static boolean mklVendorCheckReplaced() {
    prepare();
    return mklCpuCheck != null;
  }

  /**
   * Makes libtorch run the calling thread's operations on {@code threads} threads (OpenMP and MKL), leaving every
   * other thread and libtorch's process-wide default as they are: both runtimes keep this setting per thread.
   * For threads that each run their own batches, so that the batches run side by side instead of every
   * operation's few threads waiting for each other. Loads libtorch. Call it once, on the thread itself, before its
   * first operation.
   *
   * @return whether both settings took effect (false on builds without these runtimes, e.g. macOS or ARM, where
   *     the thread keeps libtorch's default)
   */
  public static boolean limitCurrentThread(int threads) {
    prepare();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      // libtorch sets a thread's OpenMP threads from its process-wide default when the thread first asks for
      // its thread count (any operation over more elements than one parallel grain does); ask first, so that
      // this first time cannot overwrite the setting below
      manager.zeros(new Shape(1 << 17)).add(manager.zeros(new Shape(1 << 17))).close();
      Path folder = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
      NativeLibrary openMp = NativeLibrary.getInstance(openMpLibrary(folder).toString());
      openMp.getFunction("omp_set_num_threads").invokeVoid(new Object[] {threads});
      NativeLibrary torch = NativeLibrary.getInstance(folder.resolve(System.mapLibraryName("torch_cpu")).toString());
      torch.getFunction("MKL_Set_Num_Threads_Local") // the C interface; the lower-case name is Fortran's (by reference)
          .invokeInt(new Object[] {threads});
      return openMp.getFunction("omp_get_max_threads").invokeInt(new Object[0]) == threads;
    } catch (IOException | LinkageError | RuntimeException e) {
      LOG.debug("kalm: cannot set this thread's libtorch threads ({}); it keeps the default", e.toString());
      return false;
    }
  }

  private static Path openMpLibrary(Path folder) throws IOException {
    try (var files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().startsWith("libgomp")).findFirst()
          .orElseThrow(() -> new IOException("no libgomp beside libtorch in " + folder));
    }
  }

  /** The C library's {@code setenv}, through JNA (which DJL already depends on). */
  private interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);
  }

  private static void apply() {
    setDefault("OMP_WAIT_POLICY", "PASSIVE");
    if (wantsMklOnAmd()) {
      loadMklCpuCheck();
    }
  }

  private static void setDefault(String name, String value) {
    if (System.getenv(name) != null) {
      return;
    }
    try {
      Native.load("c", CLibrary.class).setenv(name, value, 0);
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("kalm: cannot set {} ({}); the native default stays", name, e.toString());
    }
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
  }

  private static boolean wantsMklOnAmd() {
    String arch = System.getProperty("os.arch", "");
    if (!isLinux() || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return false;
    }
    if ("false".equalsIgnoreCase(System.getProperty("kalm.mkl.amdAvx512", "true"))
        || "0".equals(System.getenv("KALM_MKL_AMD_AVX512"))) {
      return false;
    }
    try {
      return isAmdWithAvx512(Files.readString(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      LOG.debug("kalm: cannot read /proc/cpuinfo ({}); MKL keeps its default kernels", e.toString());
      return false;
    }
  }

  /** Whether the first processor of a {@code /proc/cpuinfo} text is an AMD CPU with the AVX-512 subsets MKL uses. */
  static boolean isAmdWithAvx512(String cpuinfo) {
    String vendor = null;
    Set<String> flags = null;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        if (vendor != null && flags != null) {
          break; // the first processor's block is complete
        }
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("vendor_id") && vendor == null) {
        vendor = value;
      } else if (key.equals("flags") && flags == null) {
        flags = Set.copyOf(Arrays.asList(value.split("\\s+")));
      }
    }
    return "AuthenticAMD".equals(vendor) && flags != null && flags.containsAll(AVX512);
  }

  private static void loadMklCpuCheck() {
    try {
      Path library = writeMklCpuCheck(Utils.getEngineCacheDir("kalm"));
      mklCpuCheck = NativeLibrary.getInstance(library.toString(),
          Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
      LOG.debug("kalm: AMD CPU with AVX-512: MKL may use its AVX-512 kernels ({})", library);
    } catch (IOException | LinkageError | RuntimeException e) {
      LOG.debug("kalm: MKL keeps its default kernels on this AMD CPU ({})", e.toString());
    }
  }

  /** Writes the library into {@code folder} under a name given by its content, unless it is there; returns it. */
  static Path writeMklCpuCheck(Path folder) throws IOException {
    byte[] bytes = MklCpuCheck.elf();
    Path target = folder.resolve("libkalm_mkl_cpu-" + sha256(bytes).substring(0, 16) + ".so");
    if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
      return target;
    }
    Files.createDirectories(folder);
    Path temporary = Files.createTempFile(folder, "libkalm_mkl_cpu", ".tmp");
    try {
      Files.write(temporary, bytes);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
    return target;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
