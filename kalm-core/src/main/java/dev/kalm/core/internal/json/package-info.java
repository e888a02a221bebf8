/**
 * Internal, not an API: kalm's strict JSON reader (RFC 8259, UTF-8 checked, duplicate names and out-of-range
 * numbers refused, errors with line and column) over Gson's tree, shared by every kalm module that reads JSON,
 * and the writer of run reports ({@code dev.kalm.core.report.Report}'s JSON text).
 */
@NullMarked
package dev.kalm.core.internal.json;

import org.jspecify.annotations.NullMarked;
