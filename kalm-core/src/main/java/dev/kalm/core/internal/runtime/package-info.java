/**
 * Internal, not an API: settings of libtorch's native runtime (OpenMP waiting, MKL's kernels on AMD CPUs, a
 * thread's own libtorch thread count), applied before libtorch loads or per thread.
 */
@NullMarked
package dev.kalm.core.internal.runtime;

import org.jspecify.annotations.NullMarked;
