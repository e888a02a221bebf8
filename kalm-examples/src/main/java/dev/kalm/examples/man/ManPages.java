package dev.kalm.examples.man;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonPrimitive;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads the machine's manual pages into {@link ManPage}s and turns them into training examples: the NAME
 * line's summary is the query, the DESCRIPTION text the document. The demo's data source (the demo splits and
 * exports the examples: {@code kalm demo-data}). Stateless and thread-safe.
 *
 * <pre>{@code
 * ManScan scan = ManPages.read(ManPages.systemRoots());
 * List<TrainingExample> examples = ManPages.toExamples(scan.pages(), ManPages.DEFAULT_MIN_WORDS);
 * }</pre>
 */
public final class ManPages {
  /** Words of DESCRIPTION kept per page by default (as in the man-dev data set). */
  public static final int DEFAULT_MAX_WORDS = 220;
  /** Fewest description words a page needs to become an example, by default. */
  public static final int DEFAULT_MIN_WORDS = 20;
  /** The folders searched when MANPATH is unset or has an empty entry. */
  public static final ImmutableList<Path> STANDARD_ROOTS =
      ImmutableList.of(Path.of("/usr/share/man"), Path.of("/usr/local/share/man"), Path.of("/usr/man"));
  /** Messages kept in {@link ManScan#problems()}. */
  public static final int MAX_PROBLEMS = 20;

  /** Decompressed bytes read from one page at most; longer pages are cut (DESCRIPTION comes early). */
  private static final int MAX_PAGE_BYTES = 8 << 20;

  private ManPages() {}

  // ---- finding pages ----

  /** The folders named by the {@code MANPATH} environment variable, see {@link #roots(String)}. */
  public static ImmutableList<Path> systemRoots() {
    return roots(System.getenv("MANPATH"));
  }

  /**
   * The folders a MANPATH value names, in order, without repeats: entries separated by {@code :}; an
   * empty entry (leading, trailing or doubled colon) stands for {@link #STANDARD_ROOTS}; a null or blank
   * value gives the standard folders. Folders need not exist ({@link #read} skips missing ones).
   */
  public static ImmutableList<Path> roots(@Nullable String manpath) {
    if (manpath == null || manpath.isBlank()) {
      return STANDARD_ROOTS;
    }
    Set<Path> roots = new LinkedHashSet<>();
    for (String entry : manpath.split(":", -1)) {
      if (entry.isBlank()) {
        roots.addAll(STANDARD_ROOTS);
      } else {
        roots.add(Path.of(entry.strip()));
      }
    }
    return ImmutableList.copyOf(roots);
  }

  /** Same as {@link #read(List, int)} with {@link #DEFAULT_MAX_WORDS}. */
  public static ManScan read(List<Path> roots) {
    return read(roots, DEFAULT_MAX_WORDS);
  }

  /**
   * Reads every page under {@code roots}: files in each root's {@code man1}..{@code man9} folders (not
   * in language folders such as {@code de/man1}) named {@code <name>.<section>[suffix][.gz]} whose
   * section starts with the folder's digit ({@code ls.1.gz}, {@code CA.pl.1ssl.gz}, {@code printf.3}),
   * plain or gzipped. Skips {@code .so} redirect pages, files that are links to a file already taken
   * (the link's target, or the first path in order, is kept) and unreadable files (counted, with the
   * first few reasons). Missing roots are ignored. Pages without NAME or DESCRIPTION are kept (with empty
   * parts); {@link #usable} drops them.
   *
   * <p>Deterministic: the result is sorted by path and does not depend on the order files are listed or
   * parsed (parsing runs on the common fork-join pool).
   *
   * @param maxWords the most DESCRIPTION words kept per page
   * @throws IllegalArgumentException when {@code maxWords < 1}
   */
  public static ManScan read(List<Path> roots, int maxWords) {
    checkNotNull(roots, "roots");
    checkArgument(maxWords >= 1, "maxWords must be >= 1, got %s", maxWords);
    List<String> problems = new ArrayList<>(); // one per unreadable file or folder
    List<Candidate> candidates = new ArrayList<>();
    Set<Path> seenRoots = new HashSet<>();
    for (Path root : roots) {
      if (!seenRoots.add(root.toAbsolutePath().normalize()) || !Files.isDirectory(root)) {
        continue;
      }
      for (int digit = 1; digit <= 9; digit++) {
        Path folder = root.resolve("man" + digit);
        if (Files.isDirectory(folder)) {
          list(folder, digit, candidates, problems);
        }
      }
    }
    // links last, so that a link and its target keep the target's path
    candidates.sort(Comparator.comparing((Candidate c) -> Files.isSymbolicLink(c.path)).thenComparing(c -> c.path.toString()));
    Set<Object> seenFiles = new HashSet<>();
    List<Candidate> chosen = new ArrayList<>();
    int links = 0;
    for (Candidate c : candidates) {
      Object key;
      try {
        Object fileKey = Files.readAttributes(c.path, BasicFileAttributes.class).fileKey();
        key = fileKey != null ? fileKey : c.path.toRealPath();
      } catch (IOException e) {
        problems.add(c.path + ": " + describe(e));
        continue;
      }
      if (seenFiles.add(key)) {
        chosen.add(c);
      } else {
        links++;
      }
    }
    List<Object> results = chosen.parallelStream().map(c -> readOne(c, maxWords)).toList();
    List<ManPage> pages = new ArrayList<>();
    int redirects = 0;
    for (int i = 0; i < chosen.size(); i++) {
      Candidate c = chosen.get(i);
      Object result = results.get(i);
      if (result instanceof ManPage page) {
        pages.add(page);
      } else if (result instanceof IOException e) {
        problems.add(c.path + ": " + describe(e));
      } else {
        redirects++;
      }
    }
    pages.sort(Comparator.comparing(p -> p.path().toString()));
    Collections.sort(problems);
    return new ManScan(ImmutableList.copyOf(pages), candidates.size(), redirects, links, problems.size(),
        ImmutableList.copyOf(problems.subList(0, Math.min(MAX_PROBLEMS, problems.size()))));
  }

  /** A page file found in a {@code manN} folder. */
  private record Candidate(Path path, String section, String stem, boolean gzipped) {}

  private static void list(Path folder, int digit, List<Candidate> out, List<String> problems) {
    try (Stream<Path> files = Files.list(folder)) {
      files.forEach(path -> {
        String name = path.getFileName().toString();
        boolean gzipped = name.endsWith(".gz");
        String base = gzipped ? name.substring(0, name.length() - 3) : name;
        int dot = base.lastIndexOf('.');
        if (dot <= 0 || dot == base.length() - 1 || base.charAt(dot + 1) != (char) ('0' + digit)) {
          return;
        }
        if (Files.isDirectory(path)) {
          return;
        }
        out.add(new Candidate(path, String.valueOf(digit), base.substring(0, dot), gzipped));
      });
    } catch (IOException | UncheckedIOException e) {
      problems.add(folder + ": " + describe(e));
    }
  }

  /** A {@link ManPage}, an {@link IOException}, or {@link Boolean#FALSE} for a redirect. */
  private static Object readOne(Candidate c, int maxWords) {
    String source;
    try (InputStream raw = Files.newInputStream(c.path);
        InputStream in = c.gzipped ? new GZIPInputStream(raw, 1 << 16) : raw) {
      source = new String(in.readNBytes(MAX_PAGE_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e;
    }
    RoffParser.Parsed parsed = RoffParser.parse(source, c.stem, maxWords);
    if (parsed.redirect()) {
      return Boolean.FALSE;
    }
    return new ManPage(parsed.name(), c.section, parsed.summary(), parsed.description(), c.path);
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  // ---- parsing one page ----

  /** Same as {@link #parse(String, Path, int)} with {@link #DEFAULT_MAX_WORDS}. */
  public static Optional<ManPage> parse(String source, Path path) {
    return parse(source, path, DEFAULT_MAX_WORDS);
  }

  /**
   * Parses the roff source of one page (man or mdoc macros). Never fails on the source: unknown
   * requests are dropped, odd escapes print nothing. The section is the first digit of the file name's
   * section suffix ({@code ls.1.gz} and {@code CA.pl.1ssl} give {@code 1}); the name falls back to the
   * file's name without section when the page names nothing.
   *
   * @return the page, or empty for a {@code .so} redirect page
   * @throws IllegalArgumentException when the file name has no section suffix ({@code <name>.<digit>...})
   *     or {@code maxWords < 1}
   */
  public static Optional<ManPage> parse(String source, Path path, int maxWords) {
    checkNotNull(source, "source");
    checkArgument(maxWords >= 1, "maxWords must be >= 1, got %s", maxWords);
    String name = path.getFileName().toString();
    String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    int dot = base.lastIndexOf('.');
    checkArgument(dot > 0 && dot < base.length() - 1 && Character.isDigit(base.charAt(dot + 1)),
        "path must be named <name>.<section>[.gz], e.g. ls.1.gz, got %s", path);
    RoffParser.Parsed parsed = RoffParser.parse(source, base.substring(0, dot), maxWords);
    if (parsed.redirect()) {
      return Optional.empty();
    }
    return Optional.of(new ManPage(parsed.name(), base.substring(dot + 1, dot + 2), parsed.summary(),
        parsed.description(), path));
  }

  // ---- examples and evaluation ----

  /**
   * The pages fit for training and evaluation, in input order: a summary that is not blank, at least
   * {@code minDescriptionWords} description words, and a description not seen before (normalised as
   * {@link Texts#normalize}; the first page keeps it).
   *
   * @throws IllegalArgumentException when {@code minDescriptionWords < 0}
   */
  public static ImmutableList<ManPage> usable(List<ManPage> pages, int minDescriptionWords) {
    checkArgument(minDescriptionWords >= 0, "minDescriptionWords must be >= 0, got %s", minDescriptionWords);
    Set<String> seen = new HashSet<>();
    ImmutableList.Builder<ManPage> out = ImmutableList.builder();
    for (ManPage page : pages) {
      if (page.summary().isBlank() || page.description().isBlank() || page.descriptionWords() < minDescriptionWords) {
        continue;
      }
      if (seen.add(Texts.normalize(page.description()))) {
        out.add(page);
      }
    }
    return out.build();
  }

  /**
   * One training example per {@linkplain #usable usable} page: query = summary, positive = description,
   * task = section, and an extra field {@code name} with the page's name; no negatives.
   *
   * @throws IllegalArgumentException when {@code minDescriptionWords < 0}
   */
  public static ImmutableList<TrainingExample> toExamples(List<ManPage> pages, int minDescriptionWords) {
    ImmutableList.Builder<TrainingExample> out = ImmutableList.builder();
    for (ManPage page : usable(pages, minDescriptionWords)) {
      out.add(TrainingExample.builder()
          .query(page.summary())
          .positive(page.description())
          .task(page.section())
          .extra("name", new JsonPrimitive(page.name()).toString())
          .build());
    }
    return out.build();
  }
}
