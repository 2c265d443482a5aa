package io.firehosebridge.localfirehose.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void quotaOfTenRecordsPerSecondThrottlesTheExcessPerRecord() {
        TokenBucket records = new TokenBucket(10, nanos::get);
        TokenBucket bytes = new TokenBucket(1_000_000, nanos::get);
        int accepted = 0;
        int throttled = 0;
        for (int i = 0; i < 25; i++) {
            if (TokenBucket.tryTakeBoth(records, bytes, 100)) {
                accepted++;
            } else {
                throttled++;
            }
        }
        assertThat(accepted).isEqualTo(10);
        assertThat(throttled).isEqualTo(15);
    }

    @Test
    void tokensRefillWithTimeUpToOneSecondOfQuota() {
        TokenBucket bucket = new TokenBucket(10, nanos::get);
        assertThat(bucket.tryTake(10)).isTrue();
        assertThat(bucket.tryTake(1)).isFalse();
        nanos.addAndGet(500_000_000L);
        assertThat(bucket.tryTake(5)).isTrue();
        assertThat(bucket.tryTake(1)).isFalse();
        nanos.addAndGet(60_000_000_000L);
        assertThat(bucket.tryTake(10)).isTrue();
        assertThat(bucket.tryTake(1)).isFalse();
    }

    @Test
    void byteQuotaThrottlesLargeRecordsWithoutSpendingRecordTokens() {
        TokenBucket records = new TokenBucket(100, nanos::get);
        TokenBucket bytes = new TokenBucket(1000, nanos::get);
        assertThat(TokenBucket.tryTakeBoth(records, bytes, 800)).isTrue();
        assertThat(TokenBucket.tryTakeBoth(records, bytes, 800)).isFalse();
        assertThat(records.tryTake(99)).isTrue();
    }
}
