package org.migdal.dm.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** A reader of the Prometheus text format for the tests, and {@code promtool}. */
public final class Exposition {
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public final List<Sample> samples = new ArrayList<>();
    public final String text;

    public Exposition(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                int i = 0;
                while (i < inner.length()) {
                    int eq = inner.indexOf('=', i);
                    String key = inner.substring(i, eq);
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    for (; inner.charAt(j) != '"'; j++) {
                        char ch = inner.charAt(j);
                        if (ch == '\\') {
                            char n = inner.charAt(++j);
                            v.append(n == 'n' ? '\n' : n);
                        } else {
                            v.append(ch);
                        }
                    }
                    labels.put(key, v.toString());
                    i = j + 1;
                    if (i < inner.length() && inner.charAt(i) == ',') {
                        i++;
                    }
                }
            }
            String v = line.substring(space + 1);
            samples.add(new Sample(name, labels, switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(v);
            }));
        }
    }

    /** The one sample of {@code name} with exactly these labels (name, value pairs), if any. */
    public Optional<Double> value(String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        List<Double> found = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want)).map(Sample::value).toList();
        if (found.size() > 1) {
            throw new AssertionError(found.size() + " samples " + name + want);
        }
        return found.stream().findFirst();
    }

    public double get(String name, String... labels) {
        return value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels) + " in\n" + text));
    }

    /** Every sample name (with the _bucket, _sum, _count, _total suffixes as written). */
    public TreeSet<String> names() {
        TreeSet<String> out = new TreeSet<>();
        samples.forEach(s -> out.add(s.name()));
        return out;
    }

    /** Runs {@code promtool ARGS…} (with {@code stdin} piped in when not null); returns its exit code and output. */
    public static Result promtool(Path work, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(promtoolPath());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "promtool", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    public record Result(int code, String output) {
    }

    /** promtool from Debian's {@code prometheus} package (scripts/test installs it); the tests fail without it. */
    public static String promtoolPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        throw new AssertionError("promtool not found on PATH: install Debian's prometheus package (scripts/test does)");
    }
}
