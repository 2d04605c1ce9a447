package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected values are what Node.js 20's WHATWG {@code URL} gives for the same input. */
class UrlTextTest {

    @Test
    void cleaningTrimsC0ControlsAndSpacesAndDropsTabsAndNewlinesAnywhere() {
        assertThat(UrlText.clean(" \u0000\u001f\u000bfile:///etc \u0001")).isEqualTo("file:///etc");
        assertThat(UrlText.clean("fi\tle:/\r\n//et\nc")).isEqualTo("file:///etc");
        assertThat(UrlText.clean("a b")).isEqualTo("a b");
        assertThat(UrlText.clean("\u00a0file:")).isEqualTo("\u00a0file:"); // not a C0 control
        assertThat(UrlText.clean(" \t ")).isEmpty();
    }

    @Test
    void theSchemeIsReadCaseInsensitivelyUpToTheFirstColon() {
        assertThat(UrlText.scheme("FILE:///etc")).isEqualTo("file");
        assertThat(UrlText.scheme("x-res+v1.2:abc")).isEqualTo("x-res+v1.2");
        assertThat(UrlText.scheme("C:\\Windows")).isEqualTo("c");
    }

    @Test
    void plainPathsHaveNoScheme() {
        assertThat(UrlText.scheme("/etc/passwd")).isNull();
        assertThat(UrlText.scheme("src/a:b")).isNull();
        assertThat(UrlText.scheme("1abc:x")).isNull();
        assertThat(UrlText.scheme("noColon")).isNull();
        assertThat(UrlText.scheme("")).isNull();
    }

    @Test
    void aFileUrlsPathStartsAfterAnEmptyOrLocalHost() {
        assertThat(UrlText.fileUrlPath("file:///etc/passwd")).contains("/etc/passwd");
        assertThat(UrlText.fileUrlPath("file://localhost/etc")).contains("/etc");
        assertThat(UrlText.fileUrlPath("file://LOCAL%68OST/etc")).contains("/etc");
        assertThat(UrlText.fileUrlPath("file:/etc")).contains("/etc");
        assertThat(UrlText.fileUrlPath("file:etc/passwd")).contains("/etc/passwd");
        assertThat(UrlText.fileUrlPath("file:////etc")).contains("//etc");
        assertThat(UrlText.fileUrlPath("file:\\\\localhost\\etc\\passwd")).contains("/etc/passwd");
        assertThat(UrlText.fileUrlPath("file:")).contains("/");
        assertThat(UrlText.fileUrlPath("file:///a?b#c")).contains("/a?b#c");
    }

    @Test
    void aFileUrlNamingAnotherHostHasNoLocalPath() {
        assertThat(UrlText.fileUrlPath("file://server/share")).isEmpty();
        assertThat(UrlText.fileUrlPath("file://C:/x")).isEmpty();
        assertThat(UrlText.fileUrlPath("file://localhost:80/x")).isEmpty();
        assertThat(UrlText.fileUrlPath("file://%ff/x")).isEmpty();
    }

    @Test
    void theQueryAndFragmentAreCutOff() {
        assertThat(UrlText.withoutQuery("/a/b?c/../d")).isEqualTo("/a/b");
        assertThat(UrlText.withoutQuery("/a#b?c")).isEqualTo("/a");
        assertThat(UrlText.withoutQuery("/a")).isEqualTo("/a");
    }

    @Test
    void percentDecodingReadsUtf8AndKeepsInvalidEscapes() {
        assertThat(UrlText.percentDecode("%2e%2E%2f")).isEqualTo("../");
        assertThat(UrlText.percentDecode("%252e")).isEqualTo("%2e");
        assertThat(UrlText.percentDecode("caf%C3%A9 100%")).isEqualTo("café 100%");
        assertThat(UrlText.percentDecode("%zz%4")).isEqualTo("%zz%4");
        assertThat(UrlText.percentDecode("é")).isEqualTo("é");
    }

    @Test
    void percentEncodedBytesThatAreNotUtf8CannotBeRead() {
        assertThat(UrlText.percentDecode("%c0%ae%c0%ae")).isNull();
        assertThat(UrlText.percentDecode("%ff")).isNull();
    }
}
