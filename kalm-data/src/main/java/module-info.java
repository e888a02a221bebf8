/**
 * kalm-data: training data the KaLM way: examples and their JSON Lines form, BEIR data sets, cleaning and
 * ranking-consistency filters with hard-negative mining, batch samplers, exact vector search and
 * persona-guided LLM synthesis.
 *
 * <p>Every package is API and exported to all; kalm-data has no internal package (its helpers are
 * package-private). kalm-core and Guava types appear in its signatures, so those modules are read transitively;
 * Gson types do not (its reports are kalm-core {@code Report}s), so Gson is read plainly. LLM calls go through
 * {@code java.net.http}.
 */
module dev.kalm.data {
  requires transitive dev.kalm.core;
  requires transitive com.google.common;
  requires com.google.gson;
  requires ai.djl.api;
  requires java.net.http;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.kalm.data.beir;
  exports dev.kalm.data.example;
  exports dev.kalm.data.filter;
  exports dev.kalm.data.sampler;
  exports dev.kalm.data.search;
  exports dev.kalm.data.synth;
  exports dev.kalm.data.synth.llm;
}
