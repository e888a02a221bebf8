package dev.kalm.examples.man;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;

/**
 * What {@link ManPages#read} found. Immutable.
 *
 * @param pages the pages read, sorted by path
 * @param files candidate page files found in the {@code man1}..{@code man9} folders (before skipping)
 * @param redirects pages skipped because they only point at another page ({@code .so other/page.1})
 * @param links files skipped because they are symbolic or hard links to a file already read
 * @param unreadable files that could not be read (permissions, broken links, corrupt gzip)
 * @param problems the first {@value ManPages#MAX_PROBLEMS} messages about unreadable files ("path: reason")
 */
public record ManScan(ImmutableList<ManPage> pages, int files, int redirects, int links, int unreadable,
    ImmutableList<String> problems) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException for a negative count
   */
  public ManScan {
    pages = ImmutableList.copyOf(pages);
    problems = ImmutableList.copyOf(problems);
    checkArgument(files >= 0 && redirects >= 0 && links >= 0 && unreadable >= 0,
        "counts must not be negative, got files=%s redirects=%s links=%s unreadable=%s", files, redirects, links, unreadable);
  }

  /** One line for logs: {@code "read 12034 pages from 19778 files (2371 links, 4012 redirects, 0 unreadable)"}. */
  public String summary() {
    return "read " + pages.size() + " pages from " + files + " files (" + links + " links, " + redirects
        + " redirects, " + unreadable + " unreadable)";
  }
}
