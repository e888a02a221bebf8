package dev.kalm.examples.man;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import dev.kalm.core.testing.Fixtures;
import dev.kalm.data.example.TrainingExample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManPagesTest {
  private static final Pattern FONT_ESCAPE = Pattern.compile("\\\\f[BIRP(\\[]");

  @TempDir Path dir;

  private static final String LONG = "It reads its input and writes a report about each file it finds, one line per "
      + "file, in the order given on the command line.";

  private static String page(String name, String summary, String description) {
    return ".TH " + name.toUpperCase() + " 1\n.SH NAME\n" + name + " \\- " + summary + "\n.SH DESCRIPTION\n"
        + "\\fB" + name + "\\fR " + description + "\n";
  }

  private static void write(Path file, String text, boolean gzip) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (!gzip) {
      Files.write(file, bytes);
      return;
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes);
    }
  }

  @Test
  void manpathEntries() {
    assertEquals(ManPages.STANDARD_ROOTS, ManPages.roots(null));
    assertEquals(ManPages.STANDARD_ROOTS, ManPages.roots(" "));
    assertEquals(List.of(Path.of("/a"), Path.of("/b")), ManPages.roots("/a:/b"));
    List<Path> leading = new ArrayList<>(ManPages.STANDARD_ROOTS);
    leading.add(Path.of("/opt/man"));
    assertEquals(leading, ManPages.roots(":/opt/man"));
    List<Path> middle = new ArrayList<>(List.of(Path.of("/a")));
    middle.addAll(ManPages.STANDARD_ROOTS);
    middle.add(Path.of("/b"));
    assertEquals(middle, ManPages.roots("/a::/b"));
    assertEquals(List.of(Path.of("/a"), Path.of("/usr/share/man"), Path.of("/usr/local/share/man"), Path.of("/usr/man")),
        ManPages.roots("/a:/a:"), "repeats removed, trailing colon adds the defaults");
  }

  @Test
  void readsAFolderTree() throws IOException {
    Path root = dir.resolve("man");
    write(root.resolve("man1/ls.1.gz"), page("ls", "list directory contents", LONG), true);
    write(root.resolve("man1/CA.pl.1ssl.gz"), page("CA.pl", "friendlier interface for OpenSSL", LONG), true);
    write(root.resolve("man3/printf.3"), page("printf", "formatted output conversion", "prints. " + LONG), false);
    write(root.resolve("man1/printf.1"), page("printf", "format and print data", "formats. " + LONG), false);
    write(root.resolve("man1/dir.1.gz"), ".so man1/ls.1\n", true);
    Files.createSymbolicLink(root.resolve("man1/vdir.1.gz"), root.resolve("man1/ls.1.gz"));
    Files.createSymbolicLink(root.resolve("man1/aaa-link.1.gz"), Path.of("ls.1.gz"));
    Files.createSymbolicLink(root.resolve("man1/dangling.1.gz"), root.resolve("man1/missing.1.gz"));
    write(root.resolve("man1/broken.1.gz"), "not gzip at all", false);
    write(root.resolve("de/man1/ls.1.gz"), page("ls", "Verzeichnisinhalte auflisten", LONG), true);
    write(root.resolve("man1/README"), "not a page", false);
    write(root.resolve("man1/wrong.8"), page("wrong", "in the wrong folder", LONG), false);
    write(root.resolve("mann/tcl.n"), page("tcl", "tool command language", LONG), false);
    write(root.resolve("man8/mount.8"), page("mount", "mount a filesystem", "mounts. " + LONG), false);
    Path other = dir.resolve("local");
    write(other.resolve("man1/mytool.1"), page("mytool", "my own tool", "is mine. " + LONG), false);

    ManScan scan = ManPages.read(List.of(root, dir.resolve("missing"), other, root));
    List<String> names = scan.pages().stream().map(ManPage::reference).toList();
    assertEquals(List.of("mytool(1)", "CA.pl(1)", "ls(1)", "printf(1)", "printf(3)", "mount(8)"), names, "sorted by path");
    assertEquals(11, scan.files(), "ls, CA.pl, printf x2, dir, vdir, aaa-link, dangling, broken, mount, mytool");
    assertEquals(1, scan.redirects());
    assertEquals(2, scan.links());
    assertEquals(2, scan.unreadable());
    assertEquals(2, scan.problems().size());
    assertTrue(scan.problems().get(0).contains("broken.1.gz"), scan.problems().toString());
    assertTrue(scan.problems().get(1).contains("dangling.1.gz"), scan.problems().toString());
    ManPage ls = scan.pages().get(2);
    assertEquals(root.resolve("man1/ls.1.gz"), ls.path(), "a link and its target keep the target");
    assertEquals("list directory contents", ls.summary());
    assertEquals("ls " + LONG, ls.description());
    assertEquals("1", scan.pages().get(1).section(), "1ssl is section 1");
    assertTrue(scan.summary().startsWith("read 6 pages from 11 files"), scan.summary());
  }

  @Test
  void readIsDeterministicAndHonoursMaxWords() throws IOException {
    Path root = dir.resolve("man");
    for (int i = 0; i < 30; i++) {
      write(root.resolve("man1/tool" + i + ".1.gz"), page("tool" + i, "tool number " + i, LONG), i % 2 == 0);
    }
    ManScan first = ManPages.read(List.of(root), 5);
    assertEquals(first, ManPages.read(List.of(root), 5));
    first.pages().forEach(p -> assertEquals(5, p.descriptionWords()));
    assertThrows(IllegalArgumentException.class, () -> ManPages.read(List.of(root), 0));
  }

  private static ManPage manPage(String name, String summary, String description) {
    return new ManPage(name, "1", summary, description, Path.of("/m/man1/" + name + ".1.gz"));
  }

  @Test
  void usablePagesAndExamples() {
    ManPage good = manPage("ls", "list directory contents", LONG);
    ManPage sameText = manPage("dir", "list directory contents", "  " + LONG.toUpperCase() + " ");
    ManPage noSummary = manPage("x", " ", LONG);
    ManPage shortText = manPage("y", "short", "only four words here");
    ManPage other = new ManPage("mount", "8", "mount a filesystem", "mounts. " + LONG, Path.of("/m/man8/mount.8"));
    List<ManPage> pages = List.of(good, sameText, noSummary, shortText, other);
    assertEquals(List.of(good, other), ManPages.usable(pages, 20));
    assertEquals(List.of(good, shortText, other), ManPages.usable(pages, 0));
    List<TrainingExample> examples = ManPages.toExamples(pages, 20);
    assertEquals(2, examples.size());
    TrainingExample ls = examples.get(0);
    assertEquals("list directory contents", ls.query());
    assertEquals(List.of(LONG), ls.positives());
    assertEquals("1", ls.task());
    assertEquals(ImmutableMap.of("name", "\"ls\""), ls.extras());
    assertEquals("8", examples.get(1).task());
    assertThrows(IllegalArgumentException.class, () -> ManPages.usable(pages, -1));
  }

  @Test
  void recordValidation() {
    assertThrows(IllegalArgumentException.class, () -> new ManPage("", "1", "", "", Path.of("x.1")));
    assertThrows(IllegalArgumentException.class, () -> new ManPage("x", "", "", "", Path.of("x.1")));
    assertThrows(NullPointerException.class, () -> new ManPage("x", "1", null, "", Path.of("x.1")));
    assertThrows(IllegalArgumentException.class,
        () -> new ManScan(com.google.common.collect.ImmutableList.of(), -1, 0, 0, 0, com.google.common.collect.ImmutableList.of()));
  }

  /** The machine's own pages, when it has them: how many, how fast, and a sanity check of the text. */
  @Test
  void readsTheSystemManualPages() {
    Path system = Path.of("/usr/share/man");
    Fixtures.skipUnless(Files.isDirectory(system.resolve("man1")), "no manual pages under /usr/share/man/man1");
    long start = System.nanoTime();
    ManScan scan = ManPages.read(List.of(system));
    double seconds = (System.nanoTime() - start) / 1e9;
    List<ManPage> usable = ManPages.usable(scan.pages(), ManPages.DEFAULT_MIN_WORDS);
    System.out.printf("/usr/share/man: %s in %.1f s; %d usable pages (>= %d words, distinct descriptions)%n",
        scan.summary(), seconds, usable.size(), ManPages.DEFAULT_MIN_WORDS);
    scan.problems().forEach(p -> System.out.println("  " + p));
    assertFalse(scan.pages().isEmpty());
    long withSummary = scan.pages().stream().filter(p -> !p.summary().isEmpty()).count();
    assertTrue(withSummary >= 0.9 * scan.pages().size(), withSummary + " of " + scan.pages().size() + " have a summary");
    long leftoverFonts = usable.stream().filter(p -> FONT_ESCAPE.matcher(p.description()).find()).count();
    assertTrue(leftoverFonts <= usable.size() / 200, leftoverFonts + " descriptions hold a font escape");
    usable.forEach(p -> assertTrue(p.descriptionWords() <= ManPages.DEFAULT_MAX_WORDS, p.path().toString()));
    scan.pages().stream().filter(p -> p.path().getFileName().toString().equals("ls.1.gz")).findFirst()
        .ifPresent(ls -> assertEquals("list directory contents", ls.summary()));
  }
}
