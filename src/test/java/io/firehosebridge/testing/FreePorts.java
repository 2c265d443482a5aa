package io.firehosebridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Loopback ports that were free when asked for, for the services a test starts. A fixed port is taken by whatever
 * else runs on the host (another checkout's test run, a process an aborted run left behind): a dev-mode run once
 * failed to start its endpoint with "Address already in use" that way. A port is never handed out twice in one JVM.
 */
public final class FreePorts {

    private static final Set<Integer> GIVEN = new HashSet<>();

    private FreePorts() {
    }

    /** A port nothing listened on a moment ago, not yet given to another caller in this JVM. */
    public static synchronized int next() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no loopback port that was not already given out");
    }
}
