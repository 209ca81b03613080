package org.migdal.dm.audit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RateLimit} on a clock of its own: requests are spaced 1/rate apart, a late one is not made up for by a burst. */
class RateLimitTest {
    private long now = 1_000_000_000L;
    private final List<Long> slept = new ArrayList<>();

    private RateLimit limit(double rate) {
        return new RateLimit(rate, n -> {
            slept.add(n);
            now += n;
        }, () -> now);
    }

    @Test
    void tenPerSecondSpacesRequestsATenthOfASecondApart() {
        RateLimit r = limit(10);
        for (int i = 0; i < 4; i++) {
            r.acquire();
        }
        assertThat(slept).containsExactly(100_000_000L, 100_000_000L, 100_000_000L);
    }

    @Test
    void aRequestAfterALongPauseGoesAtOnceAndTheNextIsSpacedAgain() {
        RateLimit r = limit(4);
        r.acquire();
        now += 5_000_000_000L;
        r.acquire();
        r.acquire();
        assertThat(slept).containsExactly(250_000_000L);
    }

    @Test
    void zeroMeansNoLimitAndANegativeRateIsRefused() {
        RateLimit r = limit(0);
        for (int i = 0; i < 100; i++) {
            r.acquire();
        }
        assertThat(slept).isEmpty();
        assertThatThrownBy(() -> limit(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
    }
}
