/** File writing that never leaves half a file behind. */
@NullMarked
package dev.kalm.core.io;

import org.jspecify.annotations.NullMarked;
