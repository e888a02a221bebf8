package dev.kalm.examples.samples;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.synth.Personas;
import dev.kalm.data.synth.SynthConfig;
import dev.kalm.data.synth.SynthReport;
import dev.kalm.data.synth.Synthesizer;
import dev.kalm.data.synth.TaskType;
import dev.kalm.data.synth.llm.LlmClient;
import dev.kalm.data.synth.llm.LlmClients;
import dev.kalm.data.synth.llm.LlmConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Sample: persona-guided training data from a local OpenAI-compatible server (vLLM, llama.cpp, Ollama).
 *
 * <pre>{@code java -cp ... dev.kalm.examples.samples.SynthesizeFromLocalLlm http://127.0.0.1:8000/v1 Qwen/Qwen2.5-7B-Instruct out.jsonl}</pre>
 */
public final class SynthesizeFromLocalLlm {
  private SynthesizeFromLocalLlm() {}

  public static void main(String[] args) {
    SynthReport report = synthesize(URI.create(args[0]), args[1], Path.of(args[2]));
    System.out.println(report);
  }

  /** Two retrieval examples from each of three built-in personas (resumable: rerun to continue). */
  public static SynthReport synthesize(URI endpoint, String model, Path output) {
    LlmClient llm = LlmClients.openAiCompatible(
        LlmConfig.builder().endpoint(endpoint).model(model).apiKeyFromEnvironment().build());
    SynthConfig config = SynthConfig.builder()
        .taskTypes(List.of(TaskType.values()[0]))
        .personasLimit(3).tasksPerPersona(1).examplesPerTask(2)
        .language("English").seed(7).build();
    return Synthesizer.create(llm, config).run(Personas.builtIn(), output, ProgressListener.NONE);
  }
}
