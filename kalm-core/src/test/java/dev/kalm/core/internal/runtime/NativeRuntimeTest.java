package dev.kalm.core.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import dev.kalm.core.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeRuntimeTest {
  private static final String ZEN5 = """
      processor\t: 0
      vendor_id\t: AuthenticAMD
      cpu family\t: 26
      flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16
      
      processor\t: 1
      vendor_id\t: GenuineIntel
      flags\t\t: fpu
      """;

  @Test
  void recognisesAmdCpusWithTheAvx512SubsetsMklUses() {
    assertTrue(NativeRuntime.isAmdWithAvx512(ZEN5));
    assertFalse(NativeRuntime.isAmdWithAvx512(ZEN5.replace("AuthenticAMD", "GenuineIntel")), "Intel: MKL decides");
    assertFalse(NativeRuntime.isAmdWithAvx512(ZEN5.replace(" avx512bw", "")), "Zen 3 style: no AVX-512");
    assertFalse(NativeRuntime.isAmdWithAvx512(""));
    assertFalse(NativeRuntime.isAmdWithAvx512("vendor_id : AuthenticAMD\n"), "no flags line");
  }

  @Test
  void theVendorCheckLibraryLoadsAndEveryFunctionAnswersOne(@TempDir Path folder) throws IOException {
    Fixtures.skipUnless(linuxX86(), "the vendor-check library is an x86-64 Linux ELF file");
    Path library = NativeRuntime.writeMklCpuCheck(folder);
    assertEquals(library, NativeRuntime.writeMklCpuCheck(folder), "written once, found again by its content");
    try (var files = Files.list(folder)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
    NativeLibrary loaded = NativeLibrary.getInstance(library.toString());
    for (String symbol : MklCpuCheck.SYMBOLS) {
      assertEquals(1, loaded.getFunction(symbol).invokeInt(new Object[0]), symbol);
    }
  }

  @Test
  void mklRunsItsAvx512KernelsOnAmdCpusUnlessTurnedOff() throws Exception {
    Fixtures.skipUnless(linuxX86() && NativeRuntime.isAmdWithAvx512(Files.readString(Path.of("/proc/cpuinfo"))),
        "needs an AMD CPU with AVX-512 (Zen 4 or later) on Linux");
    String on = mklBanner();
    assertTrue(on.contains("AVX-512"), on);
    String off = mklBanner("-Dkalm.mkl.amdAvx512=false");
    assertFalse(off.contains("AVX-512"), off);
  }

  /** MKL's first verbose line in a child JVM that prepares the runtime and multiplies two matrices. */
  private static String mklBanner(String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        MatmulProbe.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("MKL_VERBOSE", "1");
    builder.environment().remove("KALM_MKL_AMD_AVX512");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
    return output.lines().filter(l -> l.startsWith("MKL_VERBOSE oneMKL")).findFirst().orElse(output);
  }

  private static boolean linuxX86() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
        && (arch.equals("amd64") || arch.equals("x86_64"));
  }
}
