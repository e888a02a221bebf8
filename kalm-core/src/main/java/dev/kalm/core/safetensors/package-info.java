/** Reading and writing of safetensors weight files. */
@NullMarked
package dev.kalm.core.safetensors;

import org.jspecify.annotations.NullMarked;
