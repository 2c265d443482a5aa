package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-time scan of string contents against the byte-at-a-time rule it stands for. */
class JsonObjectCheckTest {

    /** Plain bytes on either side of each threshold the eight-byte test works with, and an ordinary letter. */
    private static final byte[] BACKGROUNDS = { 'x', 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F };

    @Test
    void stopsAtTheFirstByteThatIsNotPlainWhereverItSitsAndWhateverItIs() {
        for (byte background : BACKGROUNDS) {
            for (int value = 0; value < 256; value++) {
                stopsAt(background, value);
            }
        }
    }

    private static void stopsAt(byte background, int value) {
        boolean plain = value >= 0x20 && value < 0x80 && value != '"' && value != '\\';
        for (int from = 0; from < 3; from++) {
            for (int at = from; at < 27; at++) {
                byte[] b = new byte[27];
                Arrays.fill(b, background);
                b[at] = (byte) value;
                assertThat(JsonObjectCheck.plain(b, from, b.length)).as("byte 0x%02X at %d, from %d, among 0x%02X", value, at, from, background)
                        .isEqualTo(plain ? b.length : at);
                // A second byte that is not plain, after the first: the first still counts.
                if (at + 1 < b.length) {
                    b[at + 1] = '"';
                    assertThat(JsonObjectCheck.plain(b, from, b.length)).isEqualTo(plain ? at + 1 : at);
                }
            }
        }
    }

    @Test
    void neverReadsPastTheEndItIsGiven() {
        // A quote right at the end given, and everything after it too: a read past the end would stop there.
        for (int from = 0; from < 3; from++) {
            for (int to = from; to < 30; to++) {
                byte[] b = new byte[40];
                Arrays.fill(b, (byte) 'x');
                Arrays.fill(b, to, b.length, (byte) '"');
                assertThat(JsonObjectCheck.plain(b, from, to)).as("from %d to %d", from, to).isEqualTo(to);
            }
        }
    }
}
