package io.firehosebridge.delivery;

import io.firehosebridge.testing.EndToEnd;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same end-to-end checks against the packaged application (the native binary where one is built). */
@EndToEnd
@QuarkusIntegrationTest
class BridgeDeliveryIT extends BridgeDeliveryTest {
}
