/** Exact top-k vector search over embedded corpora. */
@NullMarked
package dev.kalm.data.search;

import org.jspecify.annotations.NullMarked;
