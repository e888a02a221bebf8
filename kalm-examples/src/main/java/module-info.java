/**
 * kalm-examples: the {@code kalm} command line ({@code dev.kalm.examples.cli.KalmCli}), the demo pipeline and
 * the runnable samples. An application, so it exports nothing.
 *
 * <p>picocli reads and sets the commands' annotated fields by reflection, so the command package is open to
 * it; Gson writes the demo report's records by reflection, so the demo package is open to Gson. The Ctrl-C
 * handling uses {@code sun.misc.Signal} ({@code jdk.unsupported}). It reads kalm-core's
 * {@code internal.device} (the machine figures of {@code kalm bench}) and {@code internal.json} (the strict JSON
 * reader's non-finite-to-null step for the demo's report), exported to it by name.
 */
module dev.kalm.examples {
  requires dev.kalm.train;
  requires dev.kalm.data;
  requires dev.kalm.core;
  requires ai.djl.api;
  requires com.google.common;
  requires com.google.gson;
  requires info.picocli;
  requires jdk.unsupported;
  requires static org.jspecify;

  opens dev.kalm.examples.cli to info.picocli;
  opens dev.kalm.examples.demo to com.google.gson;
}
