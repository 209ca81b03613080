package org.migdal.dm.health;

import org.junit.jupiter.api.Test;
import org.migdal.dm.catalog.Activity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DiskForecastTest {
    private static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    /** One sample every {@code minutes}, free space changing by {@code perMinute} bytes a minute, with {@code wobble} noise. */
    private static List<Activity.SpaceSample> samples(int n, int minutes, long start, long perMinute, long wobble) {
        List<Activity.SpaceSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long noise = i % 2 == 0 ? wobble : -wobble;
            out.add(new Activity.SpaceSample("data1", T0.plus(Duration.ofMinutes((long) i * minutes)), start + perMinute * i * minutes + noise, 10_000_000));
        }
        return out;
    }

    @Test
    void aDiskLosingSpaceAtAConstantRateIsFullWhenItsFreeSpaceRunsOut() {
        List<Activity.SpaceSample> s = samples(7, 5, 1_000_000, -6_000, 0); // 100 bytes a second
        Double rate = DiskForecast.netRate(s);
        assertThat(rate).isCloseTo(-100.0, within(1e-6));
        assertThat(DiskForecast.secondsToFull(790_000, rate)).isEqualTo(7_900);
        assertThat(DiskForecast.note(s, rate)).isNull();
    }

    @Test
    void noiseAroundTheTrendDoesNotChangeTheRateMuch() {
        Double rate = DiskForecast.netRate(samples(12, 5, 5_000_000, -60_000, 20_000));
        assertThat(rate).isCloseTo(-1000.0, within(50.0));
    }

    @Test
    void aDiskThatIsDrainedFasterThanItFillsIsNeverFull() {
        List<Activity.SpaceSample> s = samples(6, 5, 1_000, 500, 0);
        Double rate = DiskForecast.netRate(s);
        assertThat(rate).isPositive();
        assertThat(DiskForecast.secondsToFull(1_000, rate)).isNull();
        assertThat(DiskForecast.note(s, rate)).isEqualTo("not filling");
    }

    @Test
    void tooFewSamplesOrTooShortASpanGiveNoRateAndSayWhy() {
        assertThat(DiskForecast.netRate(samples(2, 30, 1_000, -10, 0))).isNull();
        List<Activity.SpaceSample> quick = samples(5, 1, 1_000, -10, 0); // 4 minutes: shorter than the 10 the rate needs
        assertThat(DiskForecast.netRate(quick)).isNull();
        assertThat(DiskForecast.note(quick, null)).contains("5 free-space sample(s)").contains("needs 3 over 10 minutes");
        assertThat(DiskForecast.secondsToFull(-1, -5.0)).as("unknown free space").isNull();
    }
}
