package io.firehosebridge.localfirehose.api;

/** Text for the XML answers of the fronts that speak AWS's XML protocols (the STS, the S3 front). */
public final class Xml {

    private Xml() {
    }

    /** {@code text} escaped for an element's content (quotes stay as they are, as in AWS's answers). */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
