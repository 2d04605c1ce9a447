package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {
    @Test
    void aPlainNameIsKeptAsItIsInBothForms() {
        assertThat(ContentDisposition.attachment("kimi-session-0193a0f2-6c1e_x.csv"))
                .isEqualTo("attachment; filename=\"kimi-session-0193a0f2-6c1e_x.csv\"; "
                        + "filename*=UTF-8''kimi-session-0193a0f2-6c1e_x.csv");
    }

    @Test
    void quotesLineBreaksAndNonAsciiCannotEndTheHeaderOrTheQuotedName() {
        String header = ContentDisposition.attachment("a\"; b\r\nSet-Cookie: x=1 é😀.json");

        assertThat(header).isEqualTo("attachment; filename=\"a___b__Set-Cookie__x_1___.json\"; "
                + "filename*=UTF-8''a%22%3B%20b%0D%0ASet-Cookie%3A%20x%3D1%20%C3%A9%F0%9F%98%80.json");
        assertThat(header.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void theAttributeCharactersOfRfc8187AreNotEncoded() {
        assertThat(ContentDisposition.attachment("a!#$&+^`|~b")).endsWith("filename*=UTF-8''a!#$&+^`|~b");
    }
}
