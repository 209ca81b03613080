package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClaimPolicyTest {

    @Test
    void ownerNamesThisHostThisPidAndItsStartTime() {
        String owner = ClaimPolicy.thisProcessOwner();
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().orElseThrow().toEpochMilli();
        assertThat(owner).isEqualTo(ClaimPolicy.hostName() + ":" + self.pid() + ":" + start);
        assertThat(ClaimPolicy.hostName()).isNotBlank().doesNotContain(":");
    }

    @Test
    void rejectsANonPositiveLeaseAndNoAttempts() {
        assertThatThrownBy(() -> new ClaimPolicy("o", Duration.ZERO, 3, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> new ClaimPolicy("o", Duration.ofSeconds(-1), 3, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> new ClaimPolicy("o", Duration.ofMinutes(1), 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    }
}
