package io.firehosebridge.localfirehose.auth;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The keys the endpoint knows, by access key id: the configured long-term key from startup, and whatever is registered at
 * runtime: the temporary credentials the local STS issues, and keys a test registers through
 * {@code PUT /_local/credentials/{id}}. Every front (the Firehose API, the search front, the S3 front) checks against it.
 * Expired credentials stay registered, so that a call signed with them is refused as expired, not as unknown.
 */
@Singleton
public class CredentialStore {

    private final Map<String, Credential> credentials = new ConcurrentHashMap<>();

    @Inject
    public CredentialStore(LocalFirehoseConfig config) {
        this(List.of(Credential.longTerm(config.auth().accessKeyId(), config.auth().secretAccessKey())));
    }

    public CredentialStore(List<Credential> initial) {
        initial.forEach(this::register);
    }

    /** Adds a key, or replaces the one with the same access key id. */
    public void register(Credential credential) {
        credentials.put(credential.accessKeyId(), credential);
    }

    /** Forgets a key; false if it was not known. */
    public boolean remove(String accessKeyId) {
        return credentials.remove(accessKeyId) != null;
    }

    /**
     * Forgets the temporary keys that expired before {@code instant}, so that a store a local STS keeps filling stays
     * small; returns how many it forgot. Keys expired later stay, to be refused as expired rather than unknown.
     */
    public int forgetExpiredBefore(Instant instant) {
        int before = credentials.size();
        credentials.values().removeIf(c -> c.expiration() != null && c.expiration().isBefore(instant));
        return before - credentials.size();
    }

    public Optional<Credential> find(String accessKeyId) {
        return Optional.ofNullable(credentials.get(accessKeyId));
    }

    /** Every known key, by access key id. */
    public List<Credential> list() {
        return credentials.values().stream().sorted(Comparator.comparing(Credential::accessKeyId)).toList();
    }
}
