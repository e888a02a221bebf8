package dev.kalm.core;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;

/** Versions recorded in provenance and result files. */
public final class Versions {
  /** This library's version. */
  public static final String KALM = "0.1.0";

  private Versions() {}

  /** kalm, Java, DJL and PyTorch versions, in that order. */
  public static Map<String, String> all() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("kalm", KALM);
    v.put("java", System.getProperty("java.version"));
    v.put("djl", Engine.getDjlVersion());
    v.put("pytorch", Engine.getEngine("PyTorch").getVersion());
    return v;
  }
}
