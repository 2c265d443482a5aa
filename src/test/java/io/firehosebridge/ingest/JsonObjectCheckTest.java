package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-time scan of string contents against the byte-at-a-time rule it stands for. */
class JsonObjectCheckTest {

    @Test
    void stopsAtTheFirstByteThatIsNotPlainWhereverItSitsAndWhateverItIs() {
        for (int value = 0; value < 256; value++) {
            boolean plain = value >= 0x20 && value < 0x80 && value != '"' && value != '\\';
            for (int from = 0; from < 3; from++) {
                for (int at = from; at < 27; at++) {
                    byte[] b = new byte[27];
                    Arrays.fill(b, (byte) 'x');
                    b[at] = (byte) value;
                    assertThat(JsonObjectCheck.plain(b, from, b.length)).as("byte 0x%02X at %d, from %d", value, at, from)
                            .isEqualTo(plain ? b.length : at);
                    // A second byte that is not plain, after the first: the first still counts.
                    if (at + 1 < b.length) {
                        b[at + 1] = '"';
                        assertThat(JsonObjectCheck.plain(b, from, b.length)).isEqualTo(plain ? at + 1 : at);
                    }
                }
            }
        }
    }

    @Test
    void neverReadsPastTheEndItIsGiven() {
        byte[] b = "xxxxxxxxxxxxxxxxxxxx\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int to = 0; to < b.length; to++) {
            assertThat(JsonObjectCheck.plain(b, 0, to)).isEqualTo(to);
        }
        assertThat(JsonObjectCheck.plain(b, 0, b.length)).isEqualTo(b.length - 1);
    }
}
