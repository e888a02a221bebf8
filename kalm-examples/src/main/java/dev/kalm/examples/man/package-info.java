/** Manual pages (roff/mdoc) as the demo's retrieval and training corpus, and its data export. */
@NullMarked
package dev.kalm.examples.man;

import org.jspecify.annotations.NullMarked;
