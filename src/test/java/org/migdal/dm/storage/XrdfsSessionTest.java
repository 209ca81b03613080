package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a line for interactive xrdfs is quoted, and how a reply is read (as xrdfs 5.5.3 prints them). */
class XrdfsSessionTest {
    @Test
    void plainWordsStayBareOthersAreQuotedAndBothQuotesCannotBe() {
        assertThat(XrdfsSession.quote("stat")).isEqualTo("stat");
        assertThat(XrdfsSession.quote("-p")).isEqualTo("-p");
        assertThat(XrdfsSession.quote("/base/2208/f.dat?cks.type=adler32")).isEqualTo("/base/2208/f.dat?cks.type=adler32");
        assertThat(XrdfsSession.quote("/b/two  blanks.dat")).isEqualTo("\"/b/two  blanks.dat\"");
        assertThat(XrdfsSession.quote("/b/ü.dat")).isEqualTo("\"/b/ü.dat\"");
        assertThat(XrdfsSession.quote("/b/say \"hi\".dat")).isEqualTo("'/b/say \"hi\".dat'");
        assertThat(XrdfsSession.quote("/b/it's.dat")).isEqualTo("\"/b/it's.dat\"");
        assertThat(XrdfsSession.quote("/b/both ' and \".dat")).isNull();
    }

    @Test
    void errorAndFatalLinesGiveTheToolsExitCodes() {
        assertThat(new XrdfsSession.Reply("Path:   /d/[ERROR]\nSize:   3\nFlags:  16 (IsReadable)", false, false, true).rc()).isZero();
        assertThat(new XrdfsSession.Reply("[ERROR] Server responded with an error: [3011] Unable to locate /x", false, false, true).rc())
                .isEqualTo(50);
        assertThat(new XrdfsSession.Reply("rm /x : [ERROR] Error response: no such file or directory\n"
                + "[ERROR] Server responded with an error: [3011] Unable to remove /x", false, false, true).rc()).isEqualTo(50);
        assertThat(new XrdfsSession.Reply("[FATAL] Connection error", false, false, true).rc()).isEqualTo(51);
        assertThat(new XrdfsSession.Reply("Path: /x\n(xrdfs session ended unexpectedly)", false, true, true).rc())
                .as("an answer cut short is not a success").isEqualTo(51);
        assertThat(XrootdEndpoint.classify(50, "[ERROR] Server responded with an error: [3011] Unable to locate /x"))
                .isEqualTo(StorageException.Kind.NOT_FOUND);
    }
}
