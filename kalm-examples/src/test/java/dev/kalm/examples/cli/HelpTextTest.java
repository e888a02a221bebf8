package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One help style for every command: a one-line summary in the imperative, one placeholder style ({@code DIR},
 * {@code FILE}, {@code N}, ... or the literal choices {@code a|b|c}), sentences, and every default shown.
 */
class HelpTextTest {
  private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9]*([.-][A-Za-z]+)?|[a-z0-9.-]+(\\|[a-z0-9.-]+)+");

  private static List<CommandSpec> commands() {
    CommandLine root = new CommandLine(new KalmCli());
    List<CommandSpec> specs = new ArrayList<>();
    root.getSubcommands().forEach((name, cli) -> {
      if (!name.equals("help")) {
        specs.add(cli.getCommandSpec());
      }
    });
    return specs;
  }

  @Test
  void everyCommandHasAOneLineImperativeSummary() {
    List<String> problems = new ArrayList<>();
    for (CommandSpec spec : commands()) {
      String[] header = spec.usageMessage().header();
      String name = spec.name();
      if (header.length != 1 || !header[0].endsWith(".") || header[0].length() > 64) {
        problems.add(name + ": summary must be one sentence of at most 64 characters: " + List.of(header));
        continue;
      }
      String verb = header[0].split(" ")[0];
      if (verb.endsWith("s") || !Character.isUpperCase(verb.charAt(0))) {
        problems.add(name + ": summary must start with a capitalised imperative verb: " + header[0]);
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyOptionHasAPlaceholderASentenceAndItsDefault() {
    List<String> problems = new ArrayList<>();
    for (CommandSpec spec : commands()) {
      Set<OptionSpec> options = new LinkedHashSet<>(spec.options());
      spec.argGroups().forEach(group -> options.addAll(group.allOptionsNested()));
      for (OptionSpec option : options) {
        if (option.usageHelp() || option.versionHelp()) {
          continue;
        }
        String where = spec.name() + " " + option.longestName();
        String description = String.join(" ", option.description());
        if (description.isEmpty() || !Character.isUpperCase(description.charAt(0)) || !description.endsWith(".")) {
          problems.add(where + ": description must be a capitalised sentence ending in '.': " + description);
        }
        boolean takesValue = option.arity().max() > 0;
        if (takesValue && !PLACEHOLDER.matcher(option.paramLabel()).matches()) {
          problems.add(where + ": placeholder must be like DIR, FILE, N or a|b|c, got " + option.paramLabel());
        }
        if (takesValue && !option.required() && !description.toLowerCase(Locale.ROOT).contains("default")) {
          problems.add(where + ": the default is not shown: " + description);
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void versionIsTheArtifactVersion() throws IOException {
    Matcher pom = Pattern.compile("<artifactId>kalm-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("../pom.xml")));
    assertTrue(pom.find(), "no version in ../pom.xml");
    assertEquals(pom.group(1), Versions.KALM);
    CliRunner.Result result = CliRunner.run("--version");
    assertEquals(0, result.exitCode());
    assertEquals("kalm " + pom.group(1), result.out().strip());
  }
}
