/** Manual pages as a retrieval and training corpus for the demo. */
@NullMarked
package dev.kalm.data.man;

import org.jspecify.annotations.NullMarked;
