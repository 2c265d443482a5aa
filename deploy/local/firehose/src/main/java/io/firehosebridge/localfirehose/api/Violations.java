package io.firehosebridge.localfirehose.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects breaches of the API model's constraints (length, range, pattern, enum, required) and reports
 * them together as one ValidationException, worded the way AWS words them.
 */
public final class Violations {

    private final List<String> messages = new ArrayList<>();

    /** A member that must be present. */
    public void required(String path, Object value) {
        if (value == null) {
            messages.add("Value null at '" + path + "' failed to satisfy constraint: Member must not be null");
        }
    }

    /** A string's length within {@code min..max}; null passes. */
    public void length(String path, String value, int min, int max) {
        if (value == null) {
            return;
        }
        if (value.length() < min) {
            add(value, path, "Member must have length greater than or equal to " + min);
        } else if (value.length() > max) {
            add(value, path, "Member must have length less than or equal to " + max);
        }
    }

    /** A non-empty string matching {@code pattern}; null and empty pass. */
    public void pattern(String path, String value, Pattern pattern) {
        if (value != null && !value.isEmpty() && !pattern.matcher(value).matches()) {
            add(value, path, "Member must satisfy regular expression pattern: " + pattern.pattern());
        }
    }

    /** A number within {@code min..max}; null passes. */
    public void range(String path, Integer value, int min, int max) {
        if (value == null) {
            return;
        }
        if (value < min) {
            add(String.valueOf(value), path, "Member must have value greater than or equal to " + min);
        } else if (value > max) {
            add(String.valueOf(value), path, "Member must have value less than or equal to " + max);
        }
    }

    /** One of the enum values {@code allowed}; null passes. */
    public void oneOf(String path, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            add(value, path, "Member must satisfy enum value set: " + allowed);
        }
    }

    void listSize(String path, int size, int min, int max) {
        if (size < min) {
            add("[]", path, "Member must have length greater than or equal to " + min);
        } else if (size > max) {
            add("[" + size + " records]", path, "Member must have length less than or equal to " + max);
        }
    }

    void blobSize(String path, int size, int max) {
        if (size > max) {
            add("java.nio.HeapByteBuffer[pos=0 lim=" + size + " cap=" + size + "]", path,
                    "Member must have length less than or equal to " + max);
        }
    }

    private void add(String value, String path, String constraint) {
        messages.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    /** Throws one ValidationException naming every breach collected, if there is any. */
    public void throwIfAny() {
        if (messages.isEmpty()) {
            return;
        }
        String head = messages.size() == 1 ? "1 validation error detected: " : messages.size() + " validation errors detected: ";
        throw FirehoseException.validation(head + String.join("; ", messages));
    }
}
