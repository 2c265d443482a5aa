package io.firehosebridge.reconcile.scan;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads an S3 backup object line by line (GZIP or not, detected from the content) and tells a
 * summary builder the Kafka coordinates of each line: a delivered record carries them under the
 * metadata key; a failed-document envelope carries the original record base64-encoded in {@code rawData}
 * along with {@code errorCode} and {@code errorMessage}. Nothing but the current line is held in memory.
 */
public final class BackupLineParser {

    private final JsonFactory json = new JsonFactory();
    private final String metadataKey;

    public BackupLineParser(String metadataKey) {
        this.metadataKey = metadataKey;
    }

    /** Streams the object into the builder; the stream is closed. */
    public void parse(InputStream raw, ObjectSummary.Builder into) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65_536);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        InputStream content = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 65_536) : in;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(content, StandardCharsets.UTF_8), 65_536)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    parseLine(line, into);
                }
            }
        }
    }

    /** One line: a record, a failed-document envelope, or unreadable. */
    public void parseLine(String line, ObjectSummary.Builder into) {
        try (JsonParser p = json.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                into.unreadable();
                return;
            }
            Coordinates at = null;
            String rawData = null;
            String code = null;
            String message = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(metadataKey) && value == JsonToken.START_OBJECT) {
                    at = coordinates(p);
                } else if (name.equals("rawData") && value == JsonToken.VALUE_STRING) {
                    rawData = p.getText();
                } else if (name.equals("errorCode") && value.isScalarValue()) {
                    code = p.getValueAsString();
                } else if (name.equals("errorMessage") && value.isScalarValue()) {
                    message = p.getValueAsString();
                } else {
                    p.skipChildren();
                }
            }
            if (at != null) {
                into.record(at.topic, at.partition, at.offset);
                return;
            }
            if (rawData != null) {
                Coordinates inner = innerCoordinates(rawData);
                if (inner != null) {
                    into.failed(inner.topic, inner.partition, inner.offset, code, message);
                    return;
                }
            }
            into.unreadable();
        } catch (IOException | IllegalArgumentException e) {
            into.unreadable();
        }
    }

    private Coordinates innerCoordinates(String rawData) throws IOException {
        byte[] original = Base64.getMimeDecoder().decode(rawData);
        try (JsonParser p = json.createParser(original)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(metadataKey) && value == JsonToken.START_OBJECT) {
                    return coordinates(p);
                }
                p.skipChildren();
            }
            return null;
        }
    }

    /** Reads the coordinate object the parser is at; null when topic, partition or offset is missing. */
    private static Coordinates coordinates(JsonParser p) throws IOException {
        String topic = null;
        int partition = -1;
        long offset = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "topic" -> topic = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "partition" -> partition = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                case "offset" -> offset = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                default -> p.skipChildren();
            }
        }
        return topic == null || partition < 0 || offset < 0 ? null : new Coordinates(topic, partition, offset);
    }

    private record Coordinates(String topic, int partition, long offset) {
    }
}
