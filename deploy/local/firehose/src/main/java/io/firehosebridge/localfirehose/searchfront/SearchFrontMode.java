package io.firehosebridge.localfirehose.searchfront;

import io.firehosebridge.localfirehose.auth.Refusal;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the search front stands for, and how it answers a request it refuses.
 * <p>
 * {@code es}, an Amazon OpenSearch Service domain whose access policy names an IAM role: every refusal is HTTP 403 with
 * a JSON body. Seen in clients' reports of real domains (Elasticsearch Service and OpenSearch Service):
 * <ul>
 * <li>no signature: {@code {"Message":"User: anonymous is not authorized to perform: es:ESHttpGet"}}, the action named
 * after the method; newer domains add {@code " because no resource-based policy allows the es:ESHttpGet action"}, as
 * here. A domain does not answer "Missing Authentication Token" as Firehose does;</li>
 * <li>a signature that differs: {@code {"message":"The request signature we calculated does not match ..."}} with the
 * canonical request and string-to-sign;</li>
 * <li>an unknown key: {@code {"message":"The security token included in the request is invalid."}}; expired temporary
 * credentials: {@code {"message":"The security token included in the request is expired"}};</li>
 * <li>an {@code Authorization} header that is not SigV4: {@code {"message":"Authorization header requires 'Credential'
 * parameter. ..."}}.</li>
 * </ul>
 * Not confirmed, assumed from AWS's common signing layer (the wording Firehose gives, in {@code {"message":...}} with 403):
 * a scope for another region or service, a signing time more than 5 minutes off, no {@code X-Amz-Date}, a session token
 * missing or not expected. The action names for other methods ({@code ESHttpPost}, {@code ESHttpPut},
 * {@code ESHttpDelete}, {@code ESHttpHead}, {@code ESHttpPatch}) are IAM's. AWS's own response headers (request ids) are
 * not imitated.
 * <p>
 * {@code aoss}, an OpenSearch Serverless collection: requests are signed for service {@code aoss} and must carry
 * {@code x-amz-content-sha256} (AWS's documentation and its clients treat it as required; a report saw bodiless requests
 * pass without it, where this front is stricter). Seen in reports: a refused request gets 403
 * {@code {"status":403,"request-id":"…","error":{"reason":"403 Forbidden","type":"Forbidden"}}}, with
 * {@code x-aoss-response-hint: X01:gw-helper-deny} where the content hash was missing. Assumed: that every refusal gets
 * that same body and hint (the reports do not tell the causes apart), so the front logs the cause instead.
 */
public enum SearchFrontMode {

    /** An Amazon OpenSearch Service domain: signing service {@code es}. */
    ES("es"),
    /** An OpenSearch Serverless collection: signing service {@code aoss}, {@code x-amz-content-sha256} required. */
    AOSS("aoss");

    /** An answer to send as it is: status, headers and body. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private final String service;

    SearchFrontMode(String service) {
        this.service = service;
    }

    /** The mode named {@code es} or {@code aoss} (any case). */
    public static SearchFrontMode parse(String name) {
        for (SearchFrontMode mode : values()) {
            if (mode.service.equalsIgnoreCase(name.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("local-firehose.search-front.mode must be es or aoss, not '" + name + "'");
    }

    /** The service a signature's credential scope must name. */
    public String service() {
        return service;
    }

    /** Whether every request must carry {@code x-amz-content-sha256}. */
    public boolean requiresContentHash() {
        return this == AOSS;
    }

    /** What AWS answers a request of this method refused for {@code refusal} with {@code message}. */
    public Answer refusal(Refusal refusal, String message, String method, ObjectMapper mapper) {
        try {
            if (this == AOSS) {
                String requestId = UUID.randomUUID().toString();
                ObjectNode body = mapper.createObjectNode().put("status", 403).put("request-id", requestId);
                body.putObject("error").put("reason", "403 Forbidden").put("type", "Forbidden");
                return new Answer(403, Map.of("Content-Type", "application/json", "x-request-id", requestId,
                        "x-aoss-response-hint", "X01:gw-helper-deny"), mapper.writeValueAsBytes(body));
            }
            ObjectNode body = refusal == Refusal.MISSING_AUTHENTICATION_TOKEN
                    ? mapper.createObjectNode().put("Message", "User: anonymous is not authorized to perform: " + action(method)
                            + " because no resource-based policy allows the " + action(method) + " action")
                    : mapper.createObjectNode().put("message", message);
            return new Answer(403, Map.of("Content-Type", "application/json"), mapper.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The IAM action of an HTTP method on a domain: {@code es:ESHttpGet} for GET. */
    static String action(String method) {
        String m = method.toLowerCase(Locale.ROOT);
        return "es:ESHttp" + Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }
}
