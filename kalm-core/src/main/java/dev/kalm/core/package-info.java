/** The versions of kalm and its engine, as provenance and result files record them. */
@NullMarked
package dev.kalm.core;

import org.jspecify.annotations.NullMarked;
