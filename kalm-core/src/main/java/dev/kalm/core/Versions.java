package dev.kalm.core;

import ai.djl.engine.Engine;
import dev.kalm.core.internal.runtime.NativeRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions recorded in provenance and result files. */
public final class Versions {
  /**
   * This library's version: the Maven project version (e.g. {@code 0.1.0-SNAPSHOT}), written into
   * {@code dev/kalm/core/version.properties} by resource filtering at build time.
   */
  public static final String KALM = readVersion();

  private Versions() {}

  /** kalm, Java, DJL and PyTorch versions, in that order. */
  public static Map<String, String> all() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("kalm", KALM);
    v.put("java", System.getProperty("java.version"));
    v.put("djl", Engine.getDjlVersion());
    NativeRuntime.prepare(); // before this call may load libtorch
    v.put("pytorch", Engine.getEngine("PyTorch").getVersion());
    return v;
  }

  private static String readVersion() {
    try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("dev/kalm/core/version.properties is missing from the class path");
      }
      Properties p = new Properties();
      p.load(in);
      String version = p.getProperty("version");
      if (version == null || version.isBlank() || version.startsWith("${")) {
        throw new IllegalStateException("dev/kalm/core/version.properties was not filtered: version=" + version);
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dev/kalm/core/version.properties: " + e.getMessage(), e);
    }
  }
}
