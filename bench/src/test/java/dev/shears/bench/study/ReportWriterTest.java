package dev.shears.bench.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    @TempDir
    Path dir;

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRunKilledBetweenTheTwoRenamesGetsItsOldReportBack() throws Exception {
        Path out = dir.resolve("study");
        // what a kill between "report aside" and "scratch into place" leaves: no report, the old one aside,
        // and the finished scratch directory
        Path aside = Files.createDirectory(dir.resolve(".study.old-1700000000000-1a"));
        Files.writeString(aside.resolve("report.md"), "old report");
        Path partial = Files.createDirectory(dir.resolve(".study.partial-dead"));
        Files.writeString(partial.resolve("report.md"), "new report");

        ReportWriter w = ReportWriter.begin(out);
        assertEquals("old report", Files.readString(out.resolve("report.md")));
        assertEquals(List.of(w.dir().getFileName().toString(), "study"), names(), "leftovers removed");
        w.abandonIfUncommitted();
        assertEquals(List.of("study"), names());
    }

    @Test
    void leftoversBesideAReportAreRemovedAndTheReportKept() throws Exception {
        Path out = Files.createDirectory(dir.resolve("study"));
        Files.writeString(out.resolve("report.md"), "current");
        Files.writeString(Files.createDirectory(dir.resolve(".study.old-1-2")).resolve("report.md"), "older");
        Files.createDirectories(dir.resolve(".study.partial-1f").resolve("nested"));
        Path unrelated = Files.createDirectory(dir.resolve(".other.partial-1f"));

        ReportWriter w = ReportWriter.begin(out);
        Files.writeString(w.dir().resolve("report.md"), "fresh");
        assertEquals("current", Files.readString(out.resolve("report.md")));
        w.commit();
        assertEquals("fresh", Files.readString(out.resolve("report.md")));
        assertEquals(List.of(".other.partial-1f", "study"), names());
        assertTrue(Files.isDirectory(unrelated), "only this output's leftovers are touched");
    }

    @Test
    void permissionsFollowTheUmask() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        // what the umask gives a directory and a file made plainly
        Set<PosixFilePermission> dirPerms = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("probe")));
        Path probeFile = Files.writeString(dir.resolve("probe.txt"), "x");
        Set<PosixFilePermission> filePerms = Files.getPosixFilePermissions(probeFile);
        Files.delete(probeFile);
        Files.delete(dir.resolve("probe"));

        ReportWriter w = ReportWriter.begin(dir.resolve("study"));
        assertEquals(dirPerms, Files.getPosixFilePermissions(w.dir()));
        Files.writeString(w.dir().resolve("report.md"), "r");
        w.commit();
        Path out = dir.resolve("study");
        assertEquals(dirPerms, Files.getPosixFilePermissions(out));
        assertEquals(filePerms, Files.getPosixFilePermissions(out.resolve("report.md")));
        if (!dirPerms.equals(PosixFilePermissions.fromString("rwx------"))) {
            assertNotEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(out),
                    "not the owner-only permissions of a temporary directory");
        }
        assertFalse(names().stream().anyMatch(n -> n.startsWith(".study")));
    }
}
