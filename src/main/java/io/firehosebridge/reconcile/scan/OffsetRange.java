package io.firehosebridge.reconcile.scan;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Inclusive offset range {@code [first, last]}; written as a two-element JSON array. */
@RegisterForReflection
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({ "first", "last" })
public record OffsetRange(long first, long last) {

    public OffsetRange {
        if (last < first) {
            throw new IllegalArgumentException("last " + last + " < first " + first);
        }
    }

    /** Offsets in the range. */
    public long count() {
        return last - first + 1;
    }
}
