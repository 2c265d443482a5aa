package io.firehosebridge.localfirehose.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The clients the signature tests share: requests signed by the AWS SDK's own signer, independent AWS clients (boto3,
 * botocore, the AWS CLI) run as processes with a chosen key, and the endpoint's {@code /_local/credentials} admin API.
 */
public final class SigningClients {

    /** The stack's key pair: the one the endpoint knows from startup (local-firehose.auth.*). */
    public static final String ACCESS_KEY_ID = "local-access-key";
    public static final String SECRET_ACCESS_KEY = "local-secret-key";
    public static final String REGION = "us-east-1";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SigningClients() {
    }

    /** What a client process printed (standard output and error together) and how it exited. */
    public record Result(int exit, String output) {
    }

    /**
     * Runs a client with this key, the endpoint's region and the given variables, and nothing else from this JVM's AWS
     * environment (no credentials or config files).
     */
    public static Result run(List<String> command, String accessKeyId, String secret, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(name -> name.startsWith("AWS_"));
        environment.put("AWS_ACCESS_KEY_ID", accessKeyId);
        environment.put("AWS_SECRET_ACCESS_KEY", secret);
        environment.put("AWS_DEFAULT_REGION", REGION);
        environment.put("AWS_CONFIG_FILE", "/dev/null");
        environment.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        environment.put("AWS_PAGER", "");
        environment.putAll(env);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + "\n(timed out)");
        }
        return new Result(process.exitValue(), output);
    }

    /** Whether python3 can import this module (botocore, boto3). */
    public static boolean pythonHas(String module) {
        return commandRuns("python3", "-c", "import " + module);
    }

    /** Whether this command is there and exits with 0. */
    public static boolean commandRuns(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A call to the endpoint's {@code /_local/credentials} admin API on {@code port} ({@code path} after it, body or null). */
    public static HttpResponse<String> admin(int port, String method, String path, String body) throws IOException, InterruptedException {
        return local(port, method, "/_local/credentials" + path, body);
    }

    /** A call to the endpoint's admin API on {@code port} at {@code path} (e.g. {@code /_local/auth}), body or null. */
    public static HttpResponse<String> local(int port, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends a request signed by the AWS SDK v2's {@link AwsV4HttpSigner} for {@code service} in us-east-1 with these
     * headers; {@code contentHash} adds {@code x-amz-content-sha256} (the body's hash), as OpenSearch Serverless requires.
     */
    public static HttpResponse<String> sendSigned(String method, URI uri, String body, Map<String, String> headers,
            AwsCredentialsIdentity identity, String service, boolean contentHash) throws IOException, InterruptedException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        if (contentHash) {
            request.putHeader("x-amz-content-sha256", sha256Hex(bytes));
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, REGION));
        HttpRequest.Builder out = HttpRequest.newBuilder(uri)
                .method(method, bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        // The JDK's client sends the Host the signer signed (the URI's host and port) and refuses to be given one.
        signed.request().forEachHeader((name, values) -> {
            if (!"host".equalsIgnoreCase(name)) {
                values.forEach(value -> out.header(name, value));
            }
        });
        return HTTP.send(out.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A request signed with the stack's key by this endpoint's own SigV4 code over {@code host} and {@code x-amz-date}
     * only: what a client that sends no {@code x-amz-content-sha256} sends (the SDK's signer always adds it).
     */
    public static HttpResponse<String> sendSignedWithoutContentHash(String method, URI uri, String body, String service)
            throws IOException, InterruptedException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        String scope = amzDate.substring(0, 8) + "/" + REGION + "/" + service + "/aws4_request";
        IncomingRequest request = new IncomingRequest(method, uri.getRawPath(), uri.getRawQuery(),
                Map.of("host", List.of(uri.getHost() + ":" + uri.getPort()), "x-amz-date", List.of(amzDate)), bytes);
        String canonical = SigV4Verifier.canonicalRequest(request, List.of("host", "x-amz-date"));
        String stringToSign = SigV4Verifier.ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
        String signature = SigV4Verifier.signature(SECRET_ACCESS_KEY, amzDate.substring(0, 8), REGION, service, stringToSign);
        return HTTP.send(HttpRequest.newBuilder(uri)
                .method(method, bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("X-Amz-Date", amzDate)
                .header("Authorization", SigV4Verifier.ALGORITHM + " Credential=" + ACCESS_KEY_ID + "/" + scope
                        + ", SignedHeaders=host;x-amz-date, Signature=" + signature)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The same request with no signature at all. */
    public static HttpResponse<String> sendUnsigned(String method, URI uri, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
