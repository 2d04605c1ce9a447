package io.kimi.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.SampledHash;
import org.junit.jupiter.api.Test;

class CountKeyTest {
    private static final TokenEncoding CL100K = TokenEncoding.CL100K_BASE;
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void sameContentInAnotherFieldOrderIsTheSameKey() throws Exception {
        CountKey a = key(mapper.readTree("{\"role\":\"user\",\"content\":\"hi\",\"name\":\"x\"}"));
        CountKey b = key(mapper.readTree("{\"name\":\"x\",\"content\":\"hi\",\"role\":\"user\"}"));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void longTextsDifferingOnlyBetweenSampledCharactersShareAHashButAreDifferentKeys() {
        String base = "a".repeat(10_000);
        String changed = base.substring(0, 5_001) + "b" + base.substring(5_002);
        CountKey a = key(user(base));
        CountKey b = key(user(changed));

        assertThat(SampledHash.of(base)).isEqualTo(SampledHash.of(changed));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void differentEncodingsOrKindsAreDifferentKeys() {
        ObjectNode m = user("hello");

        assertThat(CountKey.probe(CL100K, CountKey.Kind.MESSAGE, m))
                .isNotEqualTo(CountKey.probe(TokenEncoding.O200K_BASE, CountKey.Kind.MESSAGE, m))
                .isNotEqualTo(CountKey.probe(CL100K, CountKey.Kind.TOOL, m));
    }

    @Test
    void aDetachedKeyKeepsItsContentWhenTheRequestChangesLater() {
        ObjectNode m = user("hello");
        CountKey stored = key(m).detached();
        m.put("content", "changed");

        assertThat(stored).isEqualTo(key(user("hello"))).isNotEqualTo(key(m));
        assertThat(stored.weight()).isEqualTo(user("hello").toString().length());
    }

    @Test
    void arraysCompareInOrder() throws Exception {
        CountKey ab = key(mapper.readTree("{\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                + "{\"type\":\"text\",\"text\":\"b\"}]}"));
        CountKey ba = key(mapper.readTree("{\"content\":[{\"type\":\"text\",\"text\":\"b\"},"
                + "{\"type\":\"text\",\"text\":\"a\"}]}"));

        assertThat(ab).isNotEqualTo(ba);
    }

    private CountKey key(JsonNode node) {
        return CountKey.probe(CL100K, CountKey.Kind.MESSAGE, node);
    }

    private ObjectNode user(String text) {
        return mapper.createObjectNode().put("role", "user").put("content", text);
    }
}
