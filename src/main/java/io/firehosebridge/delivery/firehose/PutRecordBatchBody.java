package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.firehosebridge.ingest.RecordBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The JSON body of a {@code PutRecordBatch} call, written in one pass into one exactly sized array:
 * {@code {"DeliveryStreamName":"…","Records":[{"Data":"<base64>"},…]}}, byte for byte what the SDK's
 * own marshaller writes for the same request (a test holds it to that). The SDK still does everything
 * else (endpoint, credentials, SigV4 over this body, HTTP, response and error parsing); it just skips
 * its generic serialisation, which profiling showed to be the largest share of the bridge's CPU and
 * allocation per record (a chunked buffer grown per call, copied twice).
 *
 * <p>Use: attach {@link #write} to a request that names only the stream, with {@link #ATTRIBUTE}; {@link Interceptor}
 * on the client does the rest.
 */
public final class PutRecordBatchBody {

    /** The prebuilt body of one request. */
    public static final ExecutionAttribute<byte[]> ATTRIBUTE = uniqueAttribute("io.firehosebridge.PutRecordBatchBody");

    /** What Firehose accepts as a delivery stream name; such a name needs no JSON escaping. */
    static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final byte[] HEAD = ascii("{\"DeliveryStreamName\":\"");
    private static final byte[] RECORDS = ascii("\",\"Records\":[");
    private static final byte[] RECORD_OPEN = ascii("{\"Data\":\"");
    private static final byte[] RECORD_CLOSE = ascii("\"}");
    private static final byte[] TAIL = ascii("]}");

    private PutRecordBatchBody() {
    }

    /** The request body for these records, each sent as its {@link PendingRecord#data()}. */
    public static byte[] write(String deliveryStream, List<PendingRecord> records) {
        byte[] body = new byte[size(deliveryStream, records)];
        write(deliveryStream, records, body);
        return body;
    }

    /** Bytes the body for these records takes. */
    public static int size(String deliveryStream, List<PendingRecord> records) {
        if (!STREAM_NAME.matcher(deliveryStream).matches()) {
            throw new IllegalArgumentException("not a Firehose delivery stream name: " + deliveryStream);
        }
        long size = HEAD.length + deliveryStream.length() + RECORDS.length + TAIL.length + Math.max(0, records.size() - 1);
        for (PendingRecord r : records) {
            size += RECORD_OPEN.length + RecordBytes.base64Length(r.size()) + RECORD_CLOSE.length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a PutRecordBatch body of " + size + " bytes cannot be built");
        }
        return (int) size;
    }

    /**
     * Writes the body for these records at the start of {@code body}, which must hold at least {@link #size} bytes (a
     * reused, larger array may: only the returned length is the body).
     */
    public static int write(String deliveryStream, List<PendingRecord> records, byte[] body) {
        int size = size(deliveryStream, records);
        if (body.length < size) {
            throw new IllegalArgumentException("a body of " + size + " bytes does not fit in " + body.length);
        }
        byte[] name = ascii(deliveryStream);
        // The JDK's encoder, not a loop of our own: it is a compiler intrinsic (vector instructions), about 15 times faster per
        // record on this project's machines. It writes only at the start of an array, hence one scratch array per call, sized
        // for the longest record; a record whose source value is longer still encodes its enriched bytes (Enriched.writeBase64).
        int longest = 0;
        for (PendingRecord r : records) {
            longest = Math.max(longest, r.size());
        }
        byte[] scratch = new byte[RecordBytes.base64Length(longest)];
        int pos = put(HEAD, body, 0);
        pos = put(name, body, pos);
        pos = put(RECORDS, body, pos);
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) {
                body[pos++] = ',';
            }
            pos = put(RECORD_OPEN, body, pos);
            pos = records.get(i).payload().writeBase64(body, pos, scratch);
            pos = put(RECORD_CLOSE, body, pos);
        }
        put(TAIL, body, pos);
        return size;
    }

    /**
     * The SDK keeps every attribute name in a JVM-wide registry and refuses a name twice. In dev mode the SDK's
     * classes outlive a live reload while this class is loaded anew, so the reloaded class would find its own name
     * taken and fail to initialise (delivery stopped at the first edit). A later class loader therefore takes the
     * name with a suffix: one small entry per reload, which holds no reference to the old class loader.
     */
    static ExecutionAttribute<byte[]> uniqueAttribute(String name) {
        String candidate = name;
        for (int reload = 1; ; reload++) {
            try {
                return new ExecutionAttribute<>(candidate);
            } catch (IllegalArgumentException taken) {
                candidate = name + "#" + reload;
            }
        }
    }

    private static int put(byte[] src, byte[] dst, int pos) {
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends a request's prebuilt body instead of what the SDK serialised (for a request without records,
     * just the stream name): the body and its length are put in before signing. Requests without the
     * attribute pass untouched.
     */
    public static final class Interceptor implements ExecutionInterceptor {

        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            byte[] body = attributes.getAttribute(ATTRIBUTE);
            if (body == null) {
                return context.httpRequest();
            }
            return context.httpRequest().toBuilder().putHeader("Content-Length", Integer.toString(body.length)).build();
        }

        @Override
        public Optional<AsyncRequestBody> modifyAsyncHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            byte[] body = attributes.getAttribute(ATTRIBUTE);
            return body == null ? context.asyncRequestBody() : Optional.of(AsyncRequestBody.fromBytesUnsafe(body));
        }

        @Override
        public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            byte[] body = attributes.getAttribute(ATTRIBUTE);
            // Called for async clients too: no copy of the body here.
            return body == null ? context.requestBody()
                    : Optional.of(RequestBody.fromContentProvider(ContentStreamProvider.fromByteArrayUnsafe(body), body.length, CONTENT_TYPE));
        }
    }
}
