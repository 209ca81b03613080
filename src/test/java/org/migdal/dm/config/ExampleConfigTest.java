package org.migdal.dm.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped example, {@code config/migdal-dm.example.yaml}: it loads, describes the real set-up, and documents every key once. */
class ExampleConfigTest {

    static final Path EXAMPLE = Path.of("config/migdal-dm.example.yaml");

    static String text;
    static MigdalConfig config;

    @BeforeAll
    static void load() throws Exception {
        assertThat(EXAMPLE).as("the example configuration is part of the product").isRegularFile();
        text = Files.readString(EXAMPLE);
        config = ConfigLoader.load(EXAMPLE);
    }

    @Test
    void describesTheRealMigdalSetUp() {
        assertThat(config.daq().disks()).extracting(MigdalConfig.Disk::path).containsExactly("/data1", "/data2", "/data3", "/data4");
        assertThat(config.storage().disk()).isEqualTo("root://mover.pp.rl.ac.uk:1094/pnfs/pp.rl.ac.uk/data/gridpp/migdal/");
        assertThat(config.storage().tape()).isEqualTo("root://antares.stfc.ac.uk/eos/antares/prod/migdal");
        assertThat(config.transfer().threads()).isEqualTo(5);
        assertThat(config.archive().compression()).isEqualTo("bzip2");
        assertThat(config.archive().jobsPerCycle()).isEqualTo(150);
        assertThat(config.archive().cleanupRaw()).isFalse();
        assertThat(text).contains("https://lcgfts3.gridpp.rl.ac.uk:8446");
    }

    /** Key lines of the example (commented out or not), as dotted paths by indentation, with the [default] just above. */
    record Documented(String path, String def) {
    }

    static List<Documented> documentedKeys() {
        Pattern key = Pattern.compile("^( *)(?:# ?)?([A-Za-z][A-Za-z0-9]*):(?:\\s|$).*");
        Pattern def = Pattern.compile("\\[([^\\]]*)\\]\\s*$");
        List<Documented> out = new ArrayList<>();
        java.util.TreeMap<Integer, String> parents = new java.util.TreeMap<>(); // indentation → key at that depth
        String lastDefault = null;
        for (String line : text.split("\n", -1)) {
            Matcher k = key.matcher(line);
            if (k.matches() && !line.trim().startsWith("# ") || k.matches() && isCommentedKey(line)) {
                int indent = k.group(1).length();
                String name = k.group(2);
                parents.tailMap(indent, true).clear();
                String path = parents.isEmpty() ? name : String.join(".", parents.values()) + "." + name;
                parents.put(indent, name);
                out.add(new Documented(path, lastDefault));
                lastDefault = null;
                continue;
            }
            Matcher d = def.matcher(line);
            if (line.trim().startsWith("#") && d.find()) {
                lastDefault = d.group(1).trim();
            }
        }
        return out;
    }

    /** "  # user: migdal" is a commented-out key; "  # Where the catalog lives: …" is prose. */
    static boolean isCommentedKey(String line) {
        return line.trim().matches("# ?[A-Za-z][A-Za-z0-9]*: \\S+\\s*") || line.trim().matches("# ?[A-Za-z][A-Za-z0-9]*:\\s*");
    }

    /** Every configuration key, from the records themselves (list elements, i.e. a disk's name/path, excluded). */
    static List<String> modelKeys() {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : MigdalConfig.class.getRecordComponents()) {
            keys.add(key(c));
            if (c.getType().isRecord()) {
                for (RecordComponent n : c.getType().getRecordComponents()) {
                    keys.add(key(c) + "." + n.getName());
                    if (n.getType().isRecord()) {
                        for (RecordComponent m : n.getType().getRecordComponents()) {
                            keys.add(key(c) + "." + n.getName() + "." + m.getName());
                        }
                    }
                }
            }
        }
        return keys;
    }

    /** A component's key: its @JsonProperty where Java reserves the name (notify), else its name. */
    static String key(RecordComponent c) {
        com.fasterxml.jackson.annotation.JsonProperty json = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return json != null ? json.value() : c.getName();
    }

    @Test
    void everyKeyIsDocumentedExactlyOnce() {
        List<String> documented = documentedKeys().stream().map(Documented::path).toList();
        for (String k : modelKeys()) {
            assertThat(documented).as("key %s in %s", k, EXAMPLE).containsOnlyOnce(k);
        }
        assertThat(documented).as("keys the example names that the program does not know").isSubsetOf(modelKeys());
    }

    @Test
    void documentedDefaultsAreTheProgramsDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        MigdalConfig d = ConfigLoader.parse("storage: {disk: 'file:///s', tape: 'file:///t'}\n", "defaults");
        defaults.put("catalog.url", d.catalog().url());
        defaults.put("daq.runPrefix", d.daq().runPrefix());
        defaults.put("daq.readyToTransferFlag", d.daq().readyToTransferFlag());
        defaults.put("daq.readyForDataFlag", d.daq().readyForDataFlag());
        defaults.put("transfer.threads", String.valueOf(d.transfer().threads()));
        defaults.put("transfer.maxAttempts", String.valueOf(d.transfer().maxAttempts()));
        defaults.put("transfer.retryBackoffSeconds", String.valueOf(d.transfer().retryBackoffSeconds()));
        defaults.put("archive.compression", d.archive().compression());
        defaults.put("archive.level", String.valueOf(d.archive().level()));
        defaults.put("archive.jobsPerCycle", String.valueOf(d.archive().jobsPerCycle()));
        defaults.put("archive.mover", d.archive().mover());
        defaults.put("archive.cleanupRaw", String.valueOf(d.archive().cleanupRaw()));
        defaults.put("archive.requireTapeResidency", String.valueOf(d.archive().requireTapeResidency()));
        defaults.put("executor.type", d.executor().type());
        defaults.put("claims.leaseSeconds", String.valueOf(d.claims().leaseSeconds()));
        defaults.put("lockDir", d.lockDir());
        defaults.put("notify.minIntervalMinutes", String.valueOf(d.notifications().minIntervalMinutes()));
        defaults.put("fts.url", d.fts().url());
        defaults.put("fts.filesPerJob", String.valueOf(d.fts().filesPerJob()));
        defaults.put("fts.archiveTimeoutHours", String.valueOf(d.fts().archiveTimeoutHours()));
        defaults.put("fts.retry", String.valueOf(d.fts().retry()));
        defaults.put("fts.delegationHours", String.valueOf(d.fts().delegationHours()));
        defaults.put("fts.pollSeconds", String.valueOf(d.fts().pollSeconds()));
        defaults.put("fts.auth", d.fts().auth());
        defaults.put("fts.inFlightMarginHours", String.valueOf(d.fts().inFlightMarginHours()));
        defaults.put("fts.bringOnlineHours", String.valueOf(d.fts().bringOnlineHours()));
        Map<String, String> documented = new LinkedHashMap<>();
        documentedKeys().forEach(k -> documented.put(k.path(), k.def()));
        defaults.forEach((k, v) -> assertThat(documented.get(k)).as("documented default of %s", k).isEqualTo(v));
    }
}
