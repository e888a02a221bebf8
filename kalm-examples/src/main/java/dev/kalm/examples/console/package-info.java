/** Terminal output shared by the command line and the demo: a progress bar on standard error. */
@NullMarked
package dev.kalm.examples.console;

import org.jspecify.annotations.NullMarked;
