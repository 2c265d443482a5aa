package io.firehosebridge.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Checks in one pass, without allocating, that bytes are exactly one JSON object (RFC 8259) in valid UTF-8 (RFC 3629),
 * with no key twice in one object, no nesting deeper than a limit and not already the metadata key at its top level; it
 * also finds the object's braces. It replaces a Jackson streaming parse, which for a 1 KB click built a
 * parser, a symbol table and a string per value, and was the bridge's largest share of CPU per record.
 *
 * <p>What it accepts is what that parse accepted, except invalid UTF-8 inside strings: Jackson checked only the
 * continuation bits, and let overlong forms and encoded surrogates through, which search engines refuse. A test
 * compares the two on many thousand generated and mutated documents.
 *
 * <p>Not thread-safe: it keeps its scratch arrays between calls ({@link RecordEnricher} hands each one to one caller at a time).
 */
final class JsonObjectCheck {

    /** Jackson's default limits, kept so that what was refused stays refused. */
    static final int MAX_NUMBER_LENGTH = 1_000;
    static final int MAX_NAME_LENGTH = 50_000;
    /** Keys of one object compared pairwise; beyond this many, a hash table for that object. */
    private static final int LINEAR_NAMES = 32;

    /** Byte classes inside a string: 0 plain ASCII, 1 quote, 2 backslash, 3 control, 4 start of a multi-byte sequence. */
    private static final byte[] STRING_CLASS = new byte[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            STRING_CLASS[c] = 3;
        }
        STRING_CLASS['"'] = 1;
        STRING_CLASS['\\'] = 2;
        for (int c = 0x80; c < 0x100; c++) {
            STRING_CLASS[c] = 4;
        }
    }

    /** Eight bytes of an array at any index, as one long whose lowest bits hold the first byte. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] key;
    private final int maxDepth;

    // The outcome of the last check.
    DeadLetterReason problem;
    String detail;
    /** Index of the object's opening and closing brace. */
    int open;
    int close;
    /** The object has no members. */
    boolean empty;
    /** The metadata key is one of the top-level object's keys (refused once the object is read, as {@link DeadLetterReason#RESERVED_FIELD}). */
    private boolean hasKey;

    // Containers open now: objects and arrays, and for objects where their keys begin among the names below.
    private final boolean[] isObject;
    private final int[] firstName;
    /** For each object open now, a bit per key it has, chosen by the key's hash: a key whose bit is clear is new. */
    private final long[] nameBits;
    private final int[][] nameTables;
    // Keys of the objects open now: hash, where the bytes are (>= 0 in the input, < 0 decoded: ~offset), length.
    private int[] nameHash = new int[64];
    private int[] nameStart = new int[64];
    private int[] nameLength = new int[64];
    private int names;
    /** Keys with escapes, decoded to UTF-8 so that "\u0061" and "a" compare equal. */
    private byte[] decoded = new byte[256];
    private int decodedSize;
    private byte[] input;
    /** Where the checked bytes begin in {@link #input}: positions in details count from there. */
    private int base;
    private boolean tablesUsed;
    /** The key just read repeats one of its object (it sits at {@link #names}, not counted). */
    private boolean repeated;

    /**
     * @param key the metadata key, as UTF-8
     * @param maxDepth deepest nesting of objects and arrays accepted (the top-level object is depth 1)
     */
    JsonObjectCheck(byte[] key, int maxDepth) {
        this.key = key;
        this.maxDepth = maxDepth;
        this.isObject = new boolean[maxDepth + 1];
        this.firstName = new int[maxDepth + 1];
        this.nameBits = new long[maxDepth + 1];
        this.nameTables = new int[maxDepth + 1][];
    }

    /** Checks {@code b[from, to)}; true when it is one acceptable object, else {@link #problem} and {@link #detail} say why. */
    boolean check(byte[] b, int from, int to) {
        problem = null;
        detail = null;
        hasKey = false;
        names = 0;
        repeated = false;
        decodedSize = 0;
        input = b;
        base = from;
        try {
            return scan(b, from, to);
        } finally {
            input = null;
            if (tablesUsed) {
                Arrays.fill(nameTables, null);
                tablesUsed = false;
            }
        }
    }

    private boolean scan(byte[] b, int from, int to) {
        int i = whitespace(b, from, to);
        if (to - i >= 3 && b[i] == (byte) 0xEF && b[i + 1] == (byte) 0xBB && b[i + 2] == (byte) 0xBF) {
            i = whitespace(b, i + 3, to); // a byte order mark, which RFC 8259 lets a parser ignore
        }
        if (i == to) {
            return fail(DeadLetterReason.NOT_AN_OBJECT, "top-level JSON value is missing");
        }
        if (b[i] != '{') {
            return notAnObject(b, i, to);
        }
        open = i;
        int depth = 1;
        isObject[1] = true;
        firstName[1] = 0;
        nameBits[1] = 0;
        boolean first = true;
        i++;
        while (true) {
            i = whitespace(b, i, to);
            if (i == to) {
                return fail(DeadLetterReason.NOT_JSON, "unexpected end of input");
            }
            int c = b[i];
            boolean closed = false;
            if (first && c == (isObject[depth] ? '}' : ']')) {
                i++;
                closed = true;
            } else {
                if (isObject[depth]) {
                    if (c != '"') {
                        return unexpected(b, i, "a key in quotes");
                    }
                    i = name(b, i + 1, to, depth);
                    if (i < 0) {
                        return false;
                    }
                    i = whitespace(b, i, to);
                    if (i == to || b[i] != ':') {
                        return i == to ? fail(DeadLetterReason.NOT_JSON, "unexpected end of input") : unexpected(b, i, "':'");
                    }
                    i = whitespace(b, i + 1, to);
                    if (i == to) {
                        return fail(DeadLetterReason.NOT_JSON, "unexpected end of input");
                    }
                    c = b[i];
                }
                if (c == '{' || c == '[') {
                    if (repeated) {
                        return duplicate();
                    }
                    if (depth == maxDepth) {
                        return fail(DeadLetterReason.TOO_DEEP, "nesting depth " + (depth + 1) + " exceeds the limit " + maxDepth);
                    }
                    depth++;
                    isObject[depth] = c == '{';
                    firstName[depth] = names;
                    nameBits[depth] = 0;
                    first = true;
                    i++;
                    continue;
                }
                if (repeated && c == '"') {
                    return duplicate();
                }
                i = scalar(b, i, to);
                if (i < 0) {
                    return false;
                }
                if (repeated) {
                    return duplicate();
                }
            }
            // After a value (or a container just closed): a comma, or the end of containers.
            while (true) {
                if (closed) {
                    if (isObject[depth]) {
                        names = firstName[depth];
                        nameTables[depth] = null;
                    }
                    depth--;
                    if (depth == 0) {
                        close = i - 1;
                        empty = b[whitespace(b, open + 1, to)] == '}';
                        if (hasKey) {
                            return fail(DeadLetterReason.RESERVED_FIELD, "the document already has the top-level key '"
                                    + new String(key, java.nio.charset.StandardCharsets.UTF_8) + "'");
                        }
                        i = whitespace(b, i, to);
                        return i == to || fail(DeadLetterReason.NOT_JSON, "content after the JSON object at byte " + (i - base));
                    }
                }
                i = whitespace(b, i, to);
                if (i == to) {
                    return fail(DeadLetterReason.NOT_JSON, "unexpected end of input");
                }
                c = b[i];
                if (c == ',') {
                    i++;
                    first = false;
                    break;
                }
                if (c != (isObject[depth] ? '}' : ']')) {
                    return unexpected(b, i, isObject[depth] ? "',' or '}'" : "',' or ']'");
                }
                i++;
                closed = true;
            }
        }
    }

    /** A string, number or literal at {@code b[i]}; returns the index after it, or -1. */
    private int scalar(byte[] b, int i, int to) {
        int c = b[i];
        if (c == '"') {
            return string(b, i + 1, to);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number(b, i, to);
        }
        if (c == 't') {
            return literal(b, i, to, "true");
        }
        if (c == 'f') {
            return literal(b, i, to, "false");
        }
        if (c == 'n') {
            return literal(b, i, to, "null");
        }
        unexpected(b, i, "a value");
        return -1;
    }

    /** The rest of a string after its opening quote; returns the index after the closing quote, or -1. */
    private int string(byte[] b, int i, int to) {
        while (true) {
            i = plain(b, i, to);
            if (i == to) {
                fail(DeadLetterReason.NOT_JSON, "unexpected end of input in a string");
                return -1;
            }
            switch (STRING_CLASS[b[i] & 0xFF]) {
                case 1 -> {
                    return i + 1;
                }
                case 2 -> {
                    i = escape(b, i, to);
                    if (i < 0) {
                        return -1;
                    }
                }
                case 3 -> {
                    fail(DeadLetterReason.NOT_JSON, "unescaped control character 0x" + hex(b[i]) + " in a string at byte " + (i - base));
                    return -1;
                }
                default -> {
                    int n = utf8(b, i, to);
                    if (n < 0) {
                        fail(DeadLetterReason.INVALID_UTF8, "invalid UTF-8 at byte " + (i - base));
                        return -1;
                    }
                    i += n;
                }
            }
        }
    }

    /**
     * The index of the first byte at or after {@code i} that is not plain ASCII inside a string (a quote, a backslash, a
     * control character or a byte of a multi-byte sequence), or {@code to}. Eight bytes at a time: string contents are
     * most of a click's bytes, and a table lookup per byte, with a branch that mispredicts at the end of every key and
     * value, was the check's largest cost.
     */
    static int plain(byte[] b, int i, int to) {
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long flags = special((long) LONGS.get(b, i));
            if (flags != 0) {
                return i + (Long.numberOfTrailingZeros(flags) >>> 3);
            }
        }
        while (i < to && STRING_CLASS[b[i] & 0xFF] == 0) {
            i++;
        }
        return i;
    }

    /**
     * The high bit of each of eight bytes (the first in the lowest bits) that {@link #STRING_CLASS} does not call plain,
     * possibly also of some after the first such byte, never of one before it. A byte below 0x20, a quote or a backslash
     * sets its high bit in the differences below unless the byte has it set itself, which {@code high} catches; a borrow
     * that carries a flag into the next byte starts only at such a byte.
     */
    private static long special(long v) {
        long high = v & 0x8080808080808080L;
        long control = v - 0x2020202020202020L;
        long quote = (v ^ 0x2222222222222222L) - 0x0101010101010101L;
        long backslash = (v ^ 0x5C5C5C5C5C5C5C5CL) - 0x0101010101010101L;
        return high | ((control | quote | backslash) & ~v & 0x8080808080808080L);
    }

    /** An escape at {@code b[i]} (the backslash); returns the index after it, or -1. */
    private int escape(byte[] b, int i, int to) {
        if (i + 1 == to) {
            fail(DeadLetterReason.NOT_JSON, "unexpected end of input in a string");
            return -1;
        }
        switch (b[i + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 2;
            }
            case 'u' -> {
                if (i + 6 > to || hexValue(b, i + 2) < 0) {
                    fail(DeadLetterReason.NOT_JSON, "invalid \\u escape at byte " + (i - base));
                    return -1;
                }
                return i + 6;
            }
            default -> {
                fail(DeadLetterReason.NOT_JSON, "invalid escape at byte " + (i - base));
                return -1;
            }
        }
    }

    /** Length of the well-formed UTF-8 sequence of two to four bytes at {@code b[i]}, or -1. */
    static int utf8(byte[] b, int i, int to) {
        int c = b[i] & 0xFF;
        int n;
        int low = 0x80;
        int high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) {
                low = 0xA0; // overlong below
            } else if (c == 0xED) {
                high = 0x9F; // surrogates
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) {
                low = 0x90;
            } else if (c == 0xF4) {
                high = 0x8F; // beyond U+10FFFF
            }
        } else {
            return -1;
        }
        if (i + n > to) {
            return -1;
        }
        int second = b[i + 1] & 0xFF;
        if (second < low || second > high) {
            return -1;
        }
        for (int k = 2; k < n; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        return n;
    }

    private int number(byte[] b, int start, int to) {
        int i = start;
        if (b[i] == '-') {
            i++;
        }
        if (i == to || !digit(b[i])) {
            fail(DeadLetterReason.NOT_JSON, "invalid number at byte " + (start - base));
            return -1;
        }
        if (b[i] == '0') {
            i++;
        } else {
            i = digits(b, i, to);
        }
        if (i < to && b[i] == '.') {
            if (i + 1 == to || !digit(b[i + 1])) {
                fail(DeadLetterReason.NOT_JSON, "invalid number at byte " + (start - base));
                return -1;
            }
            i = digits(b, i + 1, to);
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            if (i == to || !digit(b[i])) {
                fail(DeadLetterReason.NOT_JSON, "invalid number at byte " + (start - base));
                return -1;
            }
            i = digits(b, i, to);
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            fail(DeadLetterReason.NOT_JSON, "a number of " + (i - start) + " characters, limit " + MAX_NUMBER_LENGTH);
            return -1;
        }
        return i;
    }

    private static int digits(byte[] b, int i, int to) {
        while (i < to && digit(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private int literal(byte[] b, int i, int to, String word) {
        int n = word.length();
        if (i + n > to) {
            fail(DeadLetterReason.NOT_JSON, "unexpected end of input");
            return -1;
        }
        for (int k = 1; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                unexpected(b, i + k, "'" + word + "'");
                return -1;
            }
        }
        return i + n;
    }

    /** A key after its opening quote, in the object at {@code depth}: checked, hashed and compared with the object's others. */
    private int name(byte[] b, int start, int to, int depth) {
        int end = string(b, start, to);
        if (end < 0) {
            return -1;
        }
        int length = end - 1 - start;
        if (length > MAX_NAME_LENGTH) {
            fail(DeadLetterReason.NOT_JSON, "a key of " + length + " bytes, limit " + MAX_NAME_LENGTH);
            return -1;
        }
        int at = start;
        int hash = 0;
        boolean escaped = false;
        for (int k = start; k < end - 1; k++) {
            if (b[k] == '\\') {
                escaped = true;
                break;
            }
            hash = 31 * hash + b[k];
        }
        if (escaped) {
            int decodedStart = decodedSize;
            decode(b, start, end - 1);
            at = ~decodedStart;
            length = decodedSize - decodedStart;
            hash = 0;
            for (int k = decodedStart; k < decodedSize; k++) {
                hash = 31 * hash + decoded[k];
            }
        }
        if (names == nameHash.length) {
            nameHash = Arrays.copyOf(nameHash, names * 2);
            nameStart = Arrays.copyOf(nameStart, names * 2);
            nameLength = Arrays.copyOf(nameLength, names * 2);
        }
        nameHash[names] = hash;
        nameStart[names] = at;
        nameLength[names] = length;
        repeated = repeatedName(depth) >= 0;
        if (repeated) {
            return end; // reported once the value's start is read, as the Jackson parse did
        }
        if (depth == 1 && length == key.length && equalsKey(names)) {
            hasKey = true;
        }
        names++;
        return end;
    }

    private boolean duplicate() {
        return fail(DeadLetterReason.DUPLICATE_KEY, "Duplicate field '" + text(names) + "'");
    }

    /** An earlier key of the object at {@code depth} equal to the one at {@link #names}, or -1. */
    private int repeatedName(int depth) {
        int from = firstName[depth];
        int count = names - from;
        long bit = 1L << ((nameHash[names] * 0x9E3779B9) >>> 26);
        boolean maybeSeen = (nameBits[depth] & bit) != 0;
        nameBits[depth] |= bit;
        if (count < LINEAR_NAMES) {
            if (!maybeSeen) {
                return -1;
            }
            for (int k = from; k < names; k++) {
                if (sameName(k, names)) {
                    return k;
                }
            }
            return -1;
        }
        int[] table = nameTables[depth];
        if (table == null || count * 2 > table.length) {
            table = new int[Integer.highestOneBit(count * 4)];
            for (int k = from; k < names; k++) {
                insert(table, k);
            }
            nameTables[depth] = table;
            tablesUsed = true;
        }
        int mask = table.length - 1;
        for (int slot = nameHash[names] & mask; table[slot] != 0; slot = (slot + 1) & mask) {
            if (sameName(table[slot] - 1, names)) {
                return table[slot] - 1;
            }
        }
        insert(table, names);
        return -1;
    }

    private void insert(int[] table, int name) {
        int mask = table.length - 1;
        int slot = nameHash[name] & mask;
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = name + 1;
    }

    private boolean sameName(int x, int y) {
        if (nameHash[x] != nameHash[y] || nameLength[x] != nameLength[y]) {
            return false;
        }
        byte[] xs = nameStart[x] >= 0 ? input : decoded;
        byte[] ys = nameStart[y] >= 0 ? input : decoded;
        int xi = nameStart[x] >= 0 ? nameStart[x] : ~nameStart[x];
        int yi = nameStart[y] >= 0 ? nameStart[y] : ~nameStart[y];
        return Arrays.equals(xs, xi, xi + nameLength[x], ys, yi, yi + nameLength[y]);
    }

    private boolean equalsKey(int name) {
        byte[] s = nameStart[name] >= 0 ? input : decoded;
        int i = nameStart[name] >= 0 ? nameStart[name] : ~nameStart[name];
        return Arrays.equals(s, i, i + nameLength[name], key, 0, key.length);
    }

    private String text(int name) {
        byte[] s = nameStart[name] >= 0 ? input : decoded;
        int i = nameStart[name] >= 0 ? nameStart[name] : ~nameStart[name];
        return new String(s, i, nameLength[name], java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Appends the UTF-8 of the already checked string content {@code b[from, to)} to {@link #decoded}, escapes resolved. */
    private void decode(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '\\') {
                put(b[i]);
                continue;
            }
            byte e = b[++i];
            if (e != 'u') {
                put(switch (e) {
                    case 'b' -> (byte) '\b';
                    case 'f' -> (byte) '\f';
                    case 'n' -> (byte) '\n';
                    case 'r' -> (byte) '\r';
                    case 't' -> (byte) '\t';
                    default -> e; // " \ /
                });
                continue;
            }
            int cp = hexValue(b, i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < to && b[i + 1] == '\\' && b[i + 2] == 'u') {
                int low = hexValue(b, i + 3);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
            }
            // A lone surrogate gets its three-byte form: never equal to valid UTF-8 input, always equal to itself.
            if (cp < 0x80) {
                put((byte) cp);
            } else if (cp < 0x800) {
                put((byte) (0xC0 | cp >> 6));
                put((byte) (0x80 | cp & 0x3F));
            } else if (cp < 0x10000) {
                put((byte) (0xE0 | cp >> 12));
                put((byte) (0x80 | cp >> 6 & 0x3F));
                put((byte) (0x80 | cp & 0x3F));
            } else {
                put((byte) (0xF0 | cp >> 18));
                put((byte) (0x80 | cp >> 12 & 0x3F));
                put((byte) (0x80 | cp >> 6 & 0x3F));
                put((byte) (0x80 | cp & 0x3F));
            }
        }
    }

    private void put(byte x) {
        if (decodedSize == decoded.length) {
            decoded = Arrays.copyOf(decoded, decoded.length * 2);
        }
        decoded[decodedSize++] = x;
    }

    /** The value of four hex digits at {@code b[i]}, or -1. */
    private static int hexValue(byte[] b, int i) {
        int v = 0;
        for (int k = i; k < i + 4; k++) {
            int d = Character.digit(b[k], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private boolean notAnObject(byte[] b, int i, int to) {
        int c = b[i];
        String what;
        if (c == '[') {
            what = "an array";
        } else if (c == '"') {
            what = "a string";
        } else {
            int end = scalar(b, i, to);
            if (end < 0) {
                return false;
            }
            if (end < to && whitespace(b, end, to) == end) {
                return unexpected(b, end, "whitespace after a top-level value");
            }
            what = c == 'n' ? "null" : c == 't' || c == 'f' ? "a boolean" : "a number";
        }
        return fail(DeadLetterReason.NOT_AN_OBJECT, "top-level JSON value is " + what);
    }

    private static int whitespace(byte[] b, int i, int to) {
        while (i < to) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private boolean unexpected(byte[] b, int i, String expected) {
        int c = b[i] & 0xFF;
        // Outside strings: a non-ASCII byte that does not begin well-formed UTF-8 is invalid UTF-8, else just out of place.
        if (c >= 0x80 && utf8(b, i, b.length) < 0) {
            return fail(DeadLetterReason.INVALID_UTF8, "invalid UTF-8 at byte " + (i - base));
        }
        String found = c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : "byte 0x" + hex(b[i]);
        return fail(DeadLetterReason.NOT_JSON, "unexpected " + found + " at byte " + (i - base) + ", expected " + expected);
    }

    private static String hex(byte b) {
        return String.format("%02X", b & 0xFF);
    }

    private boolean fail(DeadLetterReason reason, String why) {
        problem = reason;
        detail = why;
        return false;
    }
}
