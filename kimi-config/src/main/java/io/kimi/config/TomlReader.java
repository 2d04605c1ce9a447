package io.kimi.config;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.core.UnmodifiableConfig;
import com.electronwill.nightconfig.core.io.ParsingException;
import com.electronwill.nightconfig.core.io.ParsingMode;
import com.electronwill.nightconfig.toml.TomlFormat;
import com.electronwill.nightconfig.toml.TomlParser;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only place that touches night-config: parses TOML text into plain nested {@link LinkedHashMap}s (tables)
 * and lists, in file order. Keys are taken from each table's entries as written, so a key such as
 * {@code "openai/gpt-4o"} or {@code "kimi-k2.5"} is never split on its dots.
 */
final class TomlReader {

    /**
     * Parses {@code reader} and returns the root table.
     *
     * @param source the file name, for messages
     * @throws ConfigException when the text is not valid TOML (the message names the line) or cannot be read
     */
    Table read(String source, Reader reader) {
        LineTrackingReader lines = new LineTrackingReader(reader);
        CommentedConfig root = TomlFormat.newConfig(LinkedHashMap::new);
        try {
            new TomlParser().parse(lines, root, ParsingMode.REPLACE);
        } catch (ParsingException e) {
            if (e.getCause() instanceof IOException io) {
                throw new ConfigException(source, "", "cannot be read: " + io, e);
            }
            throw new ConfigException(source, "",
                    "not valid TOML: " + e.getMessage() + " (line " + lines.line() + ")", e);
        }
        return new Table(source, "", toMap(root));
    }

    private static Map<String, Object> toMap(UnmodifiableConfig config) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (UnmodifiableConfig.Entry entry : config.entrySet()) {
            map.put(entry.getKey(), toPlain(entry.getRawValue()));
        }
        return map;
    }

    private static Object toPlain(Object value) {
        if (value instanceof UnmodifiableConfig table) {
            return toMap(table);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(toPlain(element));
            }
            return copy;
        }
        return value;
    }
}
