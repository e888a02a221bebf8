package dev.kalm.examples.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module descriptors of kalm-core, kalm-data, kalm-train and kalm-examples, checked on a module path made of
 * kalm-examples' runtime dependencies (the tests themselves run on the class path): the modules resolve with their
 * dependencies as automatic or explicit modules, API packages are exported to all, every {@code internal} package
 * is exported to exactly the kalm modules whose classes use it, and the README's QuickStart runs with
 * {@code java --module-path ... -m dev.kalm.examples/...} in a child JVM.
 */
class ModuleDescriptorsTest {
  private static final String EXAMPLES = "dev.kalm.examples";
  private static final Set<String> KALM = Set.of("dev.kalm.core", "dev.kalm.data", "dev.kalm.train", EXAMPLES);
  /** libtorch's jar: its Automatic-Module-Name (ai.djl.pytorch_native_cpu_linux-x86_64) is no legal module name. */
  private static final String CLASS_PATH_ONLY = "pytorch-native-cpu-";

  /**
   * The descriptors as documented in docs/design.md ("Public surface"): exports, qualified exports and opens per
   * module, one line each, sorted.
   */
  private static final Map<String, String> EXPECTED = Map.of(
      "dev.kalm.core", "exports [dev.kalm.core, dev.kalm.core.device, dev.kalm.core.embed, dev.kalm.core.io, "
          + "dev.kalm.core.jsonl, dev.kalm.core.model, dev.kalm.core.progress, dev.kalm.core.report, "
          + "dev.kalm.core.safetensors, dev.kalm.core.stop, dev.kalm.core.tokenize]; qualified {dev.kalm.core.internal.device=[dev.kalm.data, "
          + "dev.kalm.examples, dev.kalm.train], dev.kalm.core.internal.embed=[dev.kalm.train], "
          + "dev.kalm.core.internal.json=[dev.kalm.data, dev.kalm.examples, dev.kalm.train], "
          + "dev.kalm.core.internal.model=[dev.kalm.train], dev.kalm.core.internal.runtime=[dev.kalm.examples]}; "
          + "opens {}",
      "dev.kalm.data", "exports [dev.kalm.data.beir, dev.kalm.data.example, dev.kalm.data.filter, "
          + "dev.kalm.data.sampler, dev.kalm.data.search, dev.kalm.data.synth, dev.kalm.data.synth.llm]; "
          + "qualified {}; opens {}",
      "dev.kalm.train", "exports [dev.kalm.train, dev.kalm.train.eval, dev.kalm.train.optim]; qualified {}; opens {}",
      EXAMPLES, "exports []; qualified {}; opens {dev.kalm.examples.cli=[info.picocli], "
          + "dev.kalm.examples.demo=[com.google.gson]}");

  @TempDir Path tmp;

  /** kalm-examples' classes and runtime dependencies, split into what can be a module and what cannot. */
  private record Layout(List<Path> modulePath, List<Path> classPath) {
    static Layout of() throws IOException {
      Path file = Path.of(property("kalm.runtime.classpath"));
      List<Path> modules = new ArrayList<>(List.of(Path.of(property("kalm.examples.classes"))));
      List<Path> classPath = new ArrayList<>();
      for (String entry : Files.readString(file, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
        Path path = Path.of(entry);
        try {
          ModuleFinder.of(path).findAll();
          modules.add(path);
        } catch (FindException e) {
          classPath.add(path);
        }
      }
      return new Layout(modules, classPath);
    }

    Configuration resolve() {
      return ModuleLayer.boot().configuration()
          .resolveAndBind(ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.of(), KALM);
    }

    private static String property(String name) {
      return Objects.requireNonNull(System.getProperty(name), name + " (set by kalm-examples' pom for surefire)");
    }
  }

  @Test
  void theKalmModulesResolveAsExplicitModulesWithOnlyLibtorchOnTheClassPath() throws IOException {
    Layout layout = Layout.of();
    assertEquals(1, layout.classPath().size(), layout.classPath().toString());
    assertTrue(layout.classPath().get(0).getFileName().toString().startsWith(CLASS_PATH_ONLY),
        layout.classPath().toString());
    Configuration configuration = layout.resolve();
    for (String name : KALM) {
      ResolvedModule module = configuration.findModule(name).orElseThrow();
      assertFalse(module.reference().descriptor().isAutomatic(), name + " has no module-info.class");
      assertFalse(module.reference().descriptor().isOpen(), name);
    }
    Set<String> examplesReads = configuration.findModule(EXAMPLES).orElseThrow().reads().stream()
        .map(ResolvedModule::name).collect(Collectors.toSet());
    assertTrue(examplesReads.containsAll(Set.of("dev.kalm.core", "dev.kalm.data", "dev.kalm.train",
        "ai.djl.api", "com.google.common", "com.google.gson", "info.picocli")), examplesReads.toString());
  }

  @Test
  void apiPackagesAreExportedToAllAndInternalOnesToTheKalmModulesThatUseThem() throws IOException {
    Configuration configuration = Layout.of().resolve();
    Map<String, Set<String>> classPackages = new TreeMap<>();
    Map<String, String> classText = new TreeMap<>();
    for (String name : KALM) {
      ResolvedModule module = configuration.findModule(name).orElseThrow();
      Set<String> packages = new TreeSet<>();
      StringBuilder text = new StringBuilder();
      try (ModuleReader reader = module.reference().open()) {
        for (String entry : reader.list().filter(e -> e.endsWith(".class") && !e.equals("module-info.class"))
            .collect(Collectors.toList())) {
          packages.add(entry.substring(0, entry.lastIndexOf('/')).replace('/', '.'));
          try (InputStream in = reader.open(entry).orElseThrow()) {
            text.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
          }
        }
      }
      classPackages.put(name, packages);
      classText.put(name, text.toString());
    }

    for (String name : KALM) {
      ModuleDescriptor descriptor = configuration.findModule(name).orElseThrow().reference().descriptor();
      Set<String> unqualified = new TreeSet<>();
      Map<String, Set<String>> qualified = new TreeMap<>();
      for (ModuleDescriptor.Exports e : descriptor.exports()) {
        if (e.isQualified()) {
          qualified.put(e.source(), new TreeSet<>(e.targets()));
        } else {
          unqualified.add(e.source());
        }
      }
      Map<String, Set<String>> opens = new TreeMap<>();
      descriptor.opens().forEach(o -> opens.put(o.source(), new TreeSet<>(o.targets())));
      Set<String> api = classPackages.get(name).stream().filter(p -> !p.contains(".internal"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(name.equals(EXAMPLES) ? Set.of() : api, unqualified, name + ": API packages exported to all");
      for (String internal : classPackages.get(name)) {
        if (!internal.contains(".internal")) {
          continue;
        }
        String binaryName = internal.replace('.', '/') + '/';
        Set<String> users = KALM.stream()
            .filter(other -> !other.equals(name) && classText.get(other).contains(binaryName))
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(users, qualified.getOrDefault(internal, Set.of()),
            name + " exports " + internal + " to exactly the kalm modules that use it");
      }
      assertTrue(classPackages.get(name).containsAll(qualified.keySet()), name + ": " + qualified);
      assertEquals(EXPECTED.get(name), "exports " + unqualified + "; qualified " + qualified + "; opens " + opens,
          name);
    }
  }

  @Test
  void quickStartRunsOnTheModulePath() throws IOException, InterruptedException {
    Layout layout = Layout.of();
    Path data = tmp.resolve("train.jsonl");
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      examples.add(TrainingExample.builder().query("question " + i + " about tool" + i)
          .positive("tool" + i + " does task " + i + " well").negative("recipe " + i).task("t" + (i % 2)).build());
    }
    TrainingExamples.write(data, examples);
    Path output = tmp.resolve("tuned");
    Path log = tmp.resolve("run.log");
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Dai.djl.offline=true",
        "--module-path", join(layout.modulePath()), "--class-path", join(layout.classPath()),
        "-m", EXAMPLES + "/dev.kalm.examples.samples.QuickStart",
        TestModels.micro().toString(), data.toString(), output.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished = process.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(finished, "QuickStart on the module path still running after 120 s:\n" + out);
    assertEquals(0, process.exitValue(), out);
    assertTrue(out.contains("model in " + output), out);
    assertTrue(Files.isRegularFile(output.resolve("model.safetensors")), out);
  }

  private static String join(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }
}
