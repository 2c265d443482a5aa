package io.firehosebridge.devstack;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.firehosebridge.kafka.KafkaClients;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;

/**
 * In {@code quarkus:dev}, brings the local stack up before anything else starts (the way Dev Services
 * would with Docker) and creates the demo topics. The bean exists only in dev builds: a production
 * build or native image drops it. The stack keeps running across live reloads and after dev mode
 * ends; {@code deploy/local/stack down} stops it.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevStackStarter {

    private static final Logger LOG = Logger.getLogger(DevStackStarter.class);

    @Inject
    KafkaClients clients;

    @ConfigProperty(name = "mp.messaging.incoming.clicks.topic")
    String clicksTopic;

    @ConfigProperty(name = "mp.messaging.outgoing.dead-letters.topic")
    String deadLetterTopic;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        LocalStack.up();
        try (Admin admin = clients.admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = List.of(new NewTopic(clicksTopic, 6, (short) 1), new NewTopic(deadLetterTopic, 1, (short) 1))
                    .stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("Created topics %s", missing.stream().map(NewTopic::name).toList());
            }
        }
    }
}
