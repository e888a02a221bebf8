package dev.kalm.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.Fixtures;
import dev.kalm.examples.cli.KalmCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README and docs/*.md as a user reads them: nothing points outside the repository, every {@code ./kalm} line
 * of a {@code bash} block parses with the CLI, the README's quick start runs as written, and the README's Java
 * example is the sample that {@code SamplesTest} runs.
 */
class DocsExamplesTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern BASH_BLOCK = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path tmp;

  /** README.md and every docs/*.md, by path relative to the repository. */
  static Map<String, String> documents() throws IOException {
    Map<String, String> docs = new TreeMap<>();
    docs.put("README.md", Files.readString(REPO.resolve("README.md"), StandardCharsets.UTF_8));
    try (Stream<Path> files = Files.list(REPO.resolve("docs"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (file.toString().endsWith(".md")) {
          docs.put("docs/" + file.getFileName(), Files.readString(file, StandardCharsets.UTF_8));
        }
      }
    }
    return docs;
  }

  /** The shell commands of a document's bash blocks: continuation lines joined, comments and blank lines dropped. */
  static List<String> commands(String markdown) {
    List<String> commands = new ArrayList<>();
    Matcher block = BASH_BLOCK.matcher(markdown);
    while (block.find()) {
      StringBuilder current = new StringBuilder();
      for (String line : block.group(1).split("\n")) {
        String code = stripComment(line).stripTrailing();
        if (code.endsWith("\\")) {
          current.append(code, 0, code.length() - 1).append(' ');
          continue;
        }
        current.append(code);
        if (!current.toString().isBlank()) {
          commands.add(current.toString().strip());
        }
        current.setLength(0);
      }
    }
    return commands;
  }

  /** The line without a {@code #} comment outside quotes. */
  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** The arguments of a {@code ./kalm} command: quotes removed, redirections and what follows a pipe dropped. */
  static List<String> kalmArguments(String command) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(command);
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    int start = words.indexOf("./kalm");
    List<String> args = new ArrayList<>();
    for (int i = start + 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("|") || w.equals("&&") || w.equals(";")) {
        break;
      }
      if (w.equals("<") || w.equals(">") || w.equals("2>")) {
        i++;
        continue;
      }
      if (w.startsWith("<") || w.startsWith(">") || w.startsWith("2>")) {
        continue;
      }
      args.add(w);
    }
    return args;
  }

  @Test
  void nothingAUserReadsPointsOutsideTheRepository() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> doc : documents().entrySet()) {
      for (String bad : List.of("../shared", "DESIGN.md", "docs.jsonl", "texts.jsonl")) {
        if (doc.getValue().contains(bad)) {
          problems.add(doc.getKey() + " mentions " + bad);
        }
      }
    }
    CommandLine cli = new CommandLine(new KalmCli());
    cli.getSubcommands().forEach((name, sub) -> {
      StringWriter help = new StringWriter();
      sub.usage(new PrintWriter(help));
      if (help.toString().contains("shared/")) {
        problems.add("kalm " + name + " --help mentions shared/");
      }
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void everyKalmLineOfTheDocsParses() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, String> doc : documents().entrySet()) {
      for (String command : commands(doc.getValue())) {
        if (!command.contains("./kalm")) {
          continue;
        }
        List<String> args = kalmArguments(command);
        if (!args.isEmpty() && args.get(0).equals("spark")) {
          continue; // ./kalm spark runs kalm-spark's SparkCli, which is not on this module's class path
        }
        try {
          new CommandLine(new KalmCli()).parseArgs(args.toArray(String[]::new));
          checked++;
        } catch (CommandLine.ParameterException e) {
          problems.add(doc.getKey() + ": " + command + "\n    " + e.getMessage());
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(checked >= 20, "only " + checked + " ./kalm lines found");
  }

  @Test
  void theReadmeJavaExampleIsTheQuickStartSample() throws IOException {
    String sample = Files.readString(
        REPO.resolve("kalm-examples/src/main/java/dev/kalm/examples/samples/QuickStart.java"), StandardCharsets.UTF_8);
    String body = sample.substring(sample.indexOf("import "));
    Matcher java = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(documents().get("README.md"));
    assertTrue(java.find(), "no java block in README.md");
    assertEquals(body.strip(), java.group(1).strip(), "README's first java block must be QuickStart.java from its imports on");
  }

  /** The README's quick start, run as written in an empty folder with {@code ./kalm} starting this build's CLI. */
  @Test
  void theReadmeQuickStartRunsAsWritten() throws IOException, InterruptedException {
    Fixtures.skipUnless(Files.isDirectory(Path.of("/usr/share/man/man1")), "no manual pages under /usr/share/man");
    String readme = documents().get("README.md");
    int start = readme.indexOf("## Quick start");
    assertTrue(start >= 0, "README has no '## Quick start' section");
    Matcher block = BASH_BLOCK.matcher(readme);
    assertTrue(block.find(start), "no bash block in the quick start");
    Path shim = tmp.resolve("kalm");
    Files.writeString(shim, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' -Xmx2g -Dai.djl.offline=true -cp '" + System.getProperty("java.class.path")
        + "' dev.kalm.examples.cli.KalmCli \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path script = tmp.resolve("quick-start.sh");
    Files.writeString(script, "set -euo pipefail\n" + block.group(1));
    Process process = new ProcessBuilder("bash", script.toString()).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("quick-start.log").toFile()).start();
    boolean done = process.waitFor(10, TimeUnit.MINUTES);
    String log = Files.readString(tmp.resolve("quick-start.log"));
    if (!done) {
      process.destroyForcibly();
    }
    assertTrue(done, "the quick start did not finish in 10 minutes:\n" + log);
    assertEquals(0, process.exitValue(), log);
    assertTrue(Files.isRegularFile(tmp.resolve("tuned-model/model.safetensors")), log);
    assertFalse(log.contains("Exception"), log);
  }
}
