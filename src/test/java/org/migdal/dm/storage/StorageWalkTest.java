package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StorageWalk} on {@code file://}: every folder once, in name order, links never entered; the tree of {@link #tree}. */
class StorageWalkTest {
    @TempDir
    Path tmp;

    /** /a b/x.dat (3 bytes), /a b/deeper/y.dat (5), /c/d/e/z.dat (1), /top.dat (2), and an empty /empty. */
    static void tree(Path root) throws IOException {
        Files.createDirectories(root.resolve("a b/deeper"));
        Files.createDirectories(root.resolve("c/d/e"));
        Files.createDirectories(root.resolve("empty"));
        Files.write(root.resolve("a b/x.dat"), new byte[3]);
        Files.write(root.resolve("a b/deeper/y.dat"), new byte[5]);
        Files.write(root.resolve("c/d/e/z.dat"), new byte[1]);
        Files.write(root.resolve("top.dat"), new byte[2]);
    }

    /** What a walk saw: folder → its entries as "path:size" (folders as "path/"), and the problems. */
    record Seen(Map<String, List<String>> folders, List<String> problems) {
    }

    static Seen walk(StorageEndpoint ep, String start) throws StorageException {
        Map<String, List<String>> folders = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        StorageWalk.walk(ep, start, new StorageWalk.Visitor() {
            @Override
            public void folder(String dir, List<StorageEntry> entries) {
                folders.put(dir, entries.stream().map(e -> e.directory() ? e.path() + "/"
                        : e.file() ? e.path() + ":" + e.size() : e.path() + " (other)").toList());
            }

            @Override
            public void problem(String message) {
                problems.add(message);
            }
        });
        return new Seen(folders, problems);
    }

    static Map<String, List<String>> expected(String top) {
        String p = top.equals("/") ? "" : top;
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(top, List.of(p + "/a b/", p + "/c/", p + "/empty/", p + "/top.dat:2"));
        m.put(p + "/a b", List.of(p + "/a b/deeper/", p + "/a b/x.dat:3"));
        m.put(p + "/a b/deeper", List.of(p + "/a b/deeper/y.dat:5"));
        m.put(p + "/c", List.of(p + "/c/d/"));
        m.put(p + "/c/d", List.of(p + "/c/d/e/"));
        m.put(p + "/c/d/e", List.of(p + "/c/d/e/z.dat:1"));
        m.put(p + "/empty", List.of());
        return m;
    }

    @Test
    void everyFolderOnceDepthFirstInNameOrder() throws Exception {
        tree(tmp);
        Seen seen = walk(new FileEndpoint(tmp.toUri()), "/");
        assertThat(seen.folders()).containsExactlyEntriesOf(expected("/"));
        assertThat(seen.problems()).isEmpty();
    }

    @Test
    void aSymbolicLinkIsHandedOverAsOtherAndNeverEntered() throws Exception {
        tree(tmp.resolve("base"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("secret.dat"), new byte[9]);
        Files.createSymbolicLink(tmp.resolve("base/c/link"), outside);
        Files.createSymbolicLink(tmp.resolve("base/top-link.dat"), outside.resolve("secret.dat"));

        Seen seen = walk(new FileEndpoint(tmp.resolve("base").toUri()), "/");

        assertThat(seen.folders().get("/c")).containsExactly("/c/d/", "/c/link (other)");
        assertThat(seen.folders().get("/")).contains("/top-link.dat (other)");
        assertThat(seen.folders()).doesNotContainKey("/c/link");
        assertThat(seen.folders().toString()).doesNotContain("secret");
    }

    @Test
    void aBaseThatCannotBeListedThrowsAndAFolderBelowIsAProblem() throws Exception {
        assertThatThrownBy(() -> walk(new FileEndpoint(tmp.resolve("nowhere").toUri()), "/"))
                .isInstanceOf(StorageException.class).hasMessageContaining("nowhere");

        tree(tmp.resolve("base"));
        StorageEndpoint failing = new ForwardingEndpoint(new FileEndpoint(tmp.resolve("base").toUri())) {
            @Override
            public List<StorageEntry> list(String directory) throws StorageException {
                if (directory.equals("/c/d")) {
                    throw new StorageException(StorageException.Kind.DENIED, urlOf(directory), "permission denied");
                }
                return super.list(directory);
            }
        };
        Seen seen = walk(failing, "/");
        assertThat(seen.problems()).singleElement().asString().contains("c/d", "permission denied");
        assertThat(seen.folders()).doesNotContainKey("/c/d").containsKey("/empty");
    }
}
