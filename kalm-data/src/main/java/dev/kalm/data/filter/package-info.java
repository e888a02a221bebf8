/** KaLM's data filters: deduplication, token length, ranking consistency and hard-negative mining. */
@NullMarked
package dev.kalm.data.filter;

import org.jspecify.annotations.NullMarked;
