package org.migdal.dm.storage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The one confirmation: exists, size, adler32 and, for tape copies, residency; mismatches name URL, expected and found. */
class CopyCheckTest {
    @TempDir
    Path dir;
    FileEndpoint files;
    byte[] data = "sixteen bytes!!\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Checksum sum;

    @BeforeEach
    void setUp() throws Exception {
        files = new FileEndpoint(dir.toUri());
        Files.createDirectories(dir.resolve("a"));
        Files.write(dir.resolve("a/f.bz2"), data);
        Adler32 a = new Adler32();
        a.update(data);
        sum = Checksum.adler32(a.getValue());
    }

    /** A real folder whose endpoint says what the test wants about tape residency, and counts how often it is asked. */
    static final class ResidencyEndpoint extends ForwardingEndpoint {
        final TapeResidency answer;
        final AtomicInteger asked = new AtomicInteger();

        ResidencyEndpoint(FileEndpoint real, TapeResidency answer) {
            super(real);
            this.answer = answer;
        }

        @Override
        public TapeResidency tapeResidency(String path, RemoteFile stat) {
            asked.incrementAndGet();
            return answer;
        }
    }

    @Test
    void aDiskCopyIsConfirmedBySizeAndChecksumWithoutAskingResidency() throws Exception {
        ResidencyEndpoint ep = new ResidencyEndpoint(files, TapeResidency.notOnTape("never asked"));
        CopyCheck.Outcome o = CopyCheck.confirm(ep, "/a/f.bz2", data.length, sum, CopyCheck.Residency.NOT_ASKED);
        assertThat(o).isInstanceOf(CopyCheck.Confirmed.class);
        CopyCheck.Evidence e = o.confirmed().orElseThrow();
        assertThat(e).isEqualTo(new CopyCheck.Evidence(files.urlOf("/a/f.bz2"), data.length, sum, null));
        assertThat(e.describe()).isEqualTo(files.urlOf("/a/f.bz2") + " has 16 bytes and adler32 " + sum.value());
        assertThat(ep.asked).hasValue(0);
    }

    @Test
    void aMissingCopyIsAMismatchNamingUrlAndExpectation() throws Exception {
        CopyCheck.Outcome o = CopyCheck.confirm(files, "/a/none.bz2", 16, sum, CopyCheck.Residency.REQUIRED);
        assertThat(o).isEqualTo(new CopyCheck.Mismatch(CopyCheck.Problem.MISSING, files.urlOf("/a/none.bz2"),
                "16 bytes with adler32 " + sum.value(), "no file"));
        assertThat(((CopyCheck.Mismatch) o).message()).contains(files.urlOf("/a/none.bz2")).contains("missing").contains(sum.value());
        assertThat(o.confirmed()).isEmpty();
    }

    @Test
    void aWrongSizeIsAMismatchAndResidencyIsNotAsked() throws Exception {
        ResidencyEndpoint ep = new ResidencyEndpoint(files, TapeResidency.onTape("would say yes"));
        CopyCheck.Outcome o = CopyCheck.confirm(ep, "/a/f.bz2", 17, sum, CopyCheck.Residency.REQUIRED);
        assertThat(o).isEqualTo(new CopyCheck.Mismatch(CopyCheck.Problem.SIZE, files.urlOf("/a/f.bz2"), "17", "16"));
        assertThat(((CopyCheck.Mismatch) o).message()).isEqualTo(files.urlOf("/a/f.bz2") + " has 16 bytes, expected 17");
        assertThat(ep.asked).hasValue(0);
    }

    @Test
    void aWrongChecksumIsAMismatchEvenWithTheRightSize() throws Exception {
        Checksum other = Checksum.adler32("0badc0de");
        CopyCheck.Outcome o = CopyCheck.confirm(files, "/a/f.bz2", 16, other, CopyCheck.Residency.NOT_ASKED);
        assertThat(o).isEqualTo(new CopyCheck.Mismatch(CopyCheck.Problem.CHECKSUM, files.urlOf("/a/f.bz2"), "0badc0de", sum.value()));
        assertThat(((CopyCheck.Mismatch) o).message()).contains("has adler32 " + sum.value() + ", expected 0badc0de");
    }

    @Test
    void aFileTapeCannotTellAndSaysSoInTheEvidence() throws Exception {
        CopyCheck.Outcome o = CopyCheck.confirm(files, "/a/f.bz2", 16, sum, CopyCheck.Residency.REQUIRED);
        assertThat(o.confirmed().orElseThrow().tape()).isEqualTo("size+adler32 only (file:// tape, no residency information)");
    }

    @Test
    void onTapeEvidenceIsRecordedAsTheEndpointGaveIt() throws Exception {
        ResidencyEndpoint ep = new ResidencyEndpoint(files, TapeResidency.onTape("archiveinfo locality TAPE at https://x/api/v1/tape/archiveinfo"));
        CopyCheck.Evidence e = CopyCheck.confirm(ep, "/a/f.bz2", 16, sum, CopyCheck.Residency.REQUIRED).confirmed().orElseThrow();
        assertThat(e.tape()).isEqualTo("archiveinfo locality TAPE at https://x/api/v1/tape/archiveinfo");
        assertThat(e.describe()).endsWith("; tape: archiveinfo locality TAPE at https://x/api/v1/tape/archiveinfo");
    }

    @Test
    void notOnTapeIsAMismatchWhereRequiredAndOnlyRecordedOtherwise() throws Exception {
        ResidencyEndpoint ep = new ResidencyEndpoint(files, TapeResidency.notOnTape("archiveinfo locality DISK at https://x/a"));
        CopyCheck.Outcome required = CopyCheck.confirm(ep, "/a/f.bz2", 16, sum, CopyCheck.Residency.REQUIRED);
        assertThat(required).isInstanceOfSatisfying(CopyCheck.Mismatch.class, m -> {
            assertThat(m.problem()).isEqualTo(CopyCheck.Problem.NOT_ON_TAPE);
            assertThat(m.found()).isEqualTo("archiveinfo locality DISK at https://x/a");
            assertThat(m.message()).contains(files.urlOf("/a/f.bz2")).contains("not yet on tape").contains("locality DISK");
        });
        CopyCheck.Outcome recorded = CopyCheck.confirm(ep, "/a/f.bz2", 16, sum, CopyCheck.Residency.RECORDED);
        assertThat(recorded.confirmed().orElseThrow().tape()).startsWith("size+adler32 only (tape residency not required")
                .contains("archiveinfo locality DISK at https://x/a");
    }

    @Test
    void anEndpointThatDoesNotOfferResidencyCannotConfirmWhereItIsRequired() throws Exception {
        ResidencyEndpoint ep = new ResidencyEndpoint(files, TapeResidency.notOffered("no WLCG Tape REST API: GET … answered 404"));
        StorageException e = catchThrowableOfType(() -> CopyCheck.confirm(ep, "/a/f.bz2", 16, sum, CopyCheck.Residency.REQUIRED),
                StorageException.class);
        assertThat(e.url()).isEqualTo(files.urlOf("/a/f.bz2"));
        assertThat(e.getMessage()).contains("cannot confirm the tape copy").contains("storage.tapeRestApi")
                .contains("archive.requireTapeResidency");
        assertThat(CopyCheck.confirm(ep, "/a/f.bz2", 16, sum, CopyCheck.Residency.RECORDED).confirmed().orElseThrow().tape())
                .startsWith("size+adler32 only").contains("no WLCG Tape REST API");
    }

    @Test
    void storageErrorsPropagateWithTheirKind() {
        ForwardingEndpoint down = new ForwardingEndpoint(files) {
            @Override
            public Checksum checksum(String path) throws StorageException {
                throw new StorageException(StorageException.Kind.TRANSIENT, urlOf(path), "HEAD answered 503 Service Unavailable");
            }
        };
        StorageException e = catchThrowableOfType(() -> CopyCheck.confirm(down, "/a/f.bz2", 16, sum, CopyCheck.Residency.NOT_ASKED),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        ForwardingEndpoint residencyDown = new ForwardingEndpoint(files) {
            @Override
            public TapeResidency tapeResidency(String path, RemoteFile stat) throws StorageException {
                throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "archiveinfo answered 403");
            }
        };
        assertThat(catchThrowableOfType(() -> CopyCheck.confirm(residencyDown, "/a/f.bz2", 16, sum, CopyCheck.Residency.REQUIRED),
                StorageException.class).kind()).isEqualTo(StorageException.Kind.DENIED);
    }
}
