package io.kimi.config;

import java.util.Locale;

/** The kinds of provider we know; all speak OpenAI's chat completions API at their base URL. */
public enum ProviderType {
    KIMI,
    OPENAI,
    OPENROUTER,
    MISTRAL,
    GEMINI,
    NVIDIA,
    GROQ,
    DEEPSEEK,
    /** Any other OpenAI-compatible base URL. */
    OPENAI_COMPATIBLE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ProviderType fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        if (n.equals("moonshot")) {
            return KIMI;
        }
        for (ProviderType t : values()) {
            if (t.wireName().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("type: " + name + " (expected one of: kimi, moonshot, openai, "
                + "openrouter, mistral, gemini, nvidia, groq, deepseek, openai-compatible)");
    }
}
